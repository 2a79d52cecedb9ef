// GraphQL ModelRun (the active run: parameters, engine, backend, metrics per epoch).
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { GraphQLJSONObject } from 'graphql-scalars';

@ObjectType({ description: 'Loss figures of one training epoch.' })
export class EpochMetrics {
  @Field(() => Int)
  epoch!: number;

  @Field(() => Float, { nullable: true, description: 'Training MSE.' })
  trainLoss!: number | null;

  @Field(() => Float, { nullable: true, description: 'Validation MSE.' })
  validLoss!: number | null;

  @Field(() => Float, { nullable: true })
  validRmse!: number | null;

  @Field(() => Float, { nullable: true, description: 'Wall-clock seconds.' })
  seconds!: number | null;
}

@ObjectType({ description: 'A trained model run (the one serving answers).' })
export class ModelRun {
  @Field(() => Int)
  id!: number;

  @Field(() => Int, { description: 'The dataset this run was trained on; answers use its catalogue.' })
  datasetId!: number;

  @Field(() => Int, { nullable: true, description: 'The dataset active in the database now (null: none).' })
  activeDatasetId!: number | null;

  @Field(() => Boolean, {
    description:
      'False when a newer dataset was ingested after this run was trained: answers still come from this run and its own catalogue until a run on the new dataset is activated (npm run train).',
  })
  upToDate!: boolean;

  @Field(() => String, { description: 'ISO 8601.' })
  createdAt!: string;

  @Field(() => String, { description: 'native or tfjs.' })
  engine!: string;

  @Field(() => String, { description: 'Where it trained: cpu, wasm, tensorflow, cuda, ...' })
  backend!: string;

  @Field(() => Int, { description: 'Embedding dimension.' })
  factors!: number;

  @Field(() => Int, { description: 'Movies with an embedding.' })
  movieCount!: number;

  @Field(() => GraphQLJSONObject, { description: 'Training parameters as recorded.' })
  params!: Record<string, unknown>;

  @Field(() => GraphQLJSONObject, { description: 'Metrics as recorded by the trainer.' })
  metrics!: Record<string, unknown>;

  @Field(() => [EpochMetrics])
  epochs!: EpochMetrics[];

  @Field(() => String, { description: 'When this gateway loaded it (ISO 8601).' })
  loadedAt!: string;
}
