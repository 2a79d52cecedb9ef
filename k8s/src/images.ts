// Keeps k8s/images.lock.json, the one list of cinemap's images, in agreement with what
// uses it: every Dockerfile is listed, their FROM ARG defaults are the lock's bases,
// the tags the overlays deploy are the tags tools/images.mjs builds, and every other
// image the manifests run (the databases) is listed, pinned by digest in the manifest
// once the lock has one. A digest is either verified (sha256:<64 hex>) or null.
import { parseDockerfile } from './dockerfile';
import { parseImage, podTemplate, type K8sObject } from './kustomize';

export interface ImageLock {
  registry: string;
  bases: Record<string, { arg: string; ref: string; digest: string | null }>;
  images: { name: string; dockerfile: string; tag: string; bases: string[] }[];
  thirdParty: { ref: string; digest: string | null; usedBy: string }[];
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const APP = /(^|\/)(gateway|ingest|trainer)$/;

/** Every image reference the objects run: containers, init containers, CloudNativePG's imageName. */
export function imagesIn(objects: K8sObject[]): { ref: string; where: string }[] {
  const out: { ref: string; where: string }[] = [];
  for (const o of objects) {
    const spec = podTemplate(o)?.spec;
    for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])])
      out.push({ ref: String(c.image), where: `${o.kind}/${o.metadata.name} container ${c.name}` });
    if (o.kind === 'Cluster' && o.spec?.imageName)
      out.push({ ref: o.spec.imageName, where: `${o.kind}/${o.metadata.name} spec.imageName` });
  }
  return out;
}

/**
 * Problems between the lock and its users. `dockerfiles`: repository path -> text of
 * every Dockerfile in the repository; `rendered`: overlay -> rendered objects.
 */
export function checkImageLock(
  lock: ImageLock,
  version: string,
  dockerfiles: Record<string, string>,
  rendered: Record<string, K8sObject[]>,
): string[] {
  const out: string[] = [];
  for (const [k, b] of Object.entries(lock.bases))
    if (b.digest !== null && !DIGEST.test(b.digest))
      out.push(`bases.${k}.digest ${JSON.stringify(b.digest)} is neither null (not verified) nor sha256:<64 hex>`);
  for (const t of lock.thirdParty)
    if (t.digest !== null && !DIGEST.test(t.digest))
      out.push(`thirdParty ${t.ref}: digest ${JSON.stringify(t.digest)} is neither null nor sha256:<64 hex>`);

  const listed = new Set(lock.images.map((i) => i.dockerfile));
  for (const f of Object.keys(dockerfiles))
    if (!listed.has(f)) out.push(`${f} is not in k8s/images.lock.json "images": tools/images.mjs would never build it`);
  for (const img of lock.images) {
    const text = dockerfiles[img.dockerfile];
    if (text === undefined) {
      out.push(`images: ${img.dockerfile} does not exist`);
      continue;
    }
    const d = parseDockerfile(text, img.dockerfile);
    const usedArgs = new Set([...text.matchAll(/^\s*FROM\s+(?:--\S+\s+)*\$\{?([A-Za-z_]\w*)\}?/gim)].map((m) => m[1]));
    for (const arg of usedArgs)
      if (!img.bases.some((k) => lock.bases[k]?.arg === arg))
        out.push(
          `${img.dockerfile}: FROM uses $${arg}, which none of this image's lock bases (${img.bases.join(', ')}) sets: it would build from the Dockerfile's unpinned default`,
        );
    for (const k of img.bases) {
      const b = lock.bases[k];
      if (!b) {
        out.push(`images ${img.dockerfile}: base "${k}" is not defined in "bases"`);
        continue;
      }
      if (d.globalArgs[b.arg] === undefined)
        out.push(`${img.dockerfile}: no ARG ${b.arg} before the first FROM, so the pinned ${b.ref} cannot be passed in`);
      else if (d.globalArgs[b.arg] !== b.ref)
        out.push(
          `${img.dockerfile}: ARG ${b.arg}=${d.globalArgs[b.arg]} but the lock builds it from ${b.ref}; change one so local and scripted builds agree`,
        );
    }
  }

  const tags = new Map<string, Set<string>>();
  for (const img of lock.images) tags.set(img.name, (tags.get(img.name) ?? new Set()).add(img.tag.replaceAll('{version}', version)));
  const third = new Map(lock.thirdParty.map((t) => [t.ref, t]));
  const used = new Set<string>();
  for (const [overlay, objects] of Object.entries(rendered)) {
    for (const { ref, where } of imagesIn(objects)) {
      const p = parseImage(ref);
      const app = APP.exec(p.name);
      if (app) {
        const ok = tags.get(app[2]);
        if (!ok?.has(p.tag ?? ''))
          out.push(
            `${overlay} ${where}: ${ref} has tag ${JSON.stringify(p.tag)}, which tools/images.mjs never builds (${[...(ok ?? [])].join(', ')})`,
          );
        if (p.name.includes('/') && p.name !== `cinemap/${app[2]}` && !p.name.startsWith(`${lock.registry}/`))
          out.push(`${overlay} ${where}: ${ref} is not under the lock's registry ${lock.registry}`);
        continue;
      }
      const bare = `${p.name}${p.tag ? `:${p.tag}` : ''}`;
      const t = third.get(bare);
      if (!t) {
        out.push(`${overlay} ${where}: ${ref} is not in k8s/images.lock.json "thirdParty": list every image the manifests run`);
        continue;
      }
      used.add(bare);
      if (t.digest && p.digest !== t.digest)
        out.push(`${overlay} ${where}: the lock pins ${bare}@${t.digest}; write the image as ${bare}@${t.digest}`);
      if (!t.digest && p.digest)
        out.push(`${overlay} ${where}: ${ref} carries a digest the lock does not have; record it in k8s/images.lock.json`);
    }
  }
  for (const t of lock.thirdParty)
    if (!used.has(t.ref)) out.push(`thirdParty ${t.ref} is run by none of the overlays; remove it from the lock`);
  return out;
}
