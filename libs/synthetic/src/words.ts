// Word lists for synthetic titles and tags. Readable English words so a
// generated title ("Silent Harbor, The (1987)") looks like a film and a human
// can eyeball a similarity list; foreign words carry accents so the dump
// exercises UTF-8 and accent-insensitive title matching downstream.

export const ADJECTIVES = [
  'Silent', 'Broken', 'Golden', 'Hidden', 'Last', 'Lost', 'Dark', 'Bright', 'Crimson', 'Frozen',
  'Wild', 'Quiet', 'Endless', 'Burning', 'Distant', 'Secret', 'Little', 'Great', 'Savage', 'Gentle',
  'Electric', 'Hollow', 'Iron', 'Midnight', 'Northern', 'Southern', 'Restless', 'Sweet', 'Bitter', 'Blue',
  'Red', 'Black', 'White', 'Green', 'Silver', 'Final', 'First', 'Eternal', 'Forgotten', 'Stolen',
  'Wicked', 'Lonely', 'Velvet', 'Glass', 'Paper', 'Stone', 'Crooked', 'Holy', 'Naked', 'Perfect',
] as const;

export const NOUNS = [
  'Harbor', 'River', 'Kingdom', 'Shadow', 'Garden', 'Empire', 'Horizon', 'Island', 'Storm', 'Winter',
  'Summer', 'Night', 'Morning', 'Road', 'City', 'Mountain', 'Valley', 'Desert', 'Ocean', 'Forest',
  'Heart', 'Mirror', 'Machine', 'Dragon', 'Angel', 'Stranger', 'Hunter', 'Soldier', 'Doctor', 'Detective',
  'Witness', 'Prophet', 'Thief', 'King', 'Queen', 'Prince', 'Widow', 'Circus', 'Station', 'Hotel',
  'Letter', 'Promise', 'Secret', 'Memory', 'Dream', 'Echo', 'Signal', 'Frontier', 'Planet', 'Voyage',
  'Tide', 'Fire', 'Rain', 'Moon', 'Star', 'Wolf', 'Horse', 'Bird', 'Ghost', 'Crown',
] as const;

/** Alternate-title words (French/Spanish/German/Italian), accents on purpose. */
export const FOREIGN_NOUNS = [
  'Cité', 'Mañana', 'Été', 'Rêve', 'Château', 'Corazón', 'Canción', 'Mädchen', 'Straße', 'Städte',
  'Fenêtre', 'Forêt', 'Niño', 'Señor', 'Città', 'Perché', 'Île', 'Hôtel', 'Mémoire', 'Pájaro',
] as const;
export const FOREIGN_ADJECTIVES = [
  'perdus', 'perdida', 'oscuro', 'dorée', 'grüne', 'lontana', 'secrète', 'último', 'éternel', 'schöne',
] as const;
/** Foreign leading articles MovieLens also moves to the end ("Cité des enfants perdus, La"). */
export const FOREIGN_ARTICLES = ['La', 'Le', 'Les', 'El', 'Lo', 'Il', 'Die', 'Der', 'Das'] as const;

export const FIRST_NAMES = [
  'Anna', 'Marcus', 'Elena', 'Jack', 'Rosa', 'Victor', 'Clara', 'Henry', 'Lucia', 'Oscar',
  'Mia', 'Felix', 'Ruth', 'Bruno', 'Ingrid', 'Theo', 'Agnès', 'José', 'Zoë', 'Søren',
] as const;

/** Tags, loosely by genre; a few contain commas or quotes on purpose. */
export const TAGS_BY_GENRE: Record<string, readonly string[]> = {
  Action: ['action', 'explosions', 'car chase', 'martial arts', 'fight scenes'],
  Adventure: ['adventure', 'treasure hunt', 'epic', 'journey'],
  Animation: ['animation', 'pixar-like', 'hand-drawn', 'stop motion'],
  Children: ['family', 'kids', 'for children'],
  Comedy: ['funny', 'dark comedy', 'quirky', 'witty dialogue', 'funny, but sad'],
  Crime: ['heist', 'mafia', 'crime', 'police'],
  Documentary: ['documentary', 'true story', 'interviews'],
  Drama: ['drama', 'emotional', 'slow', 'oscar (best picture)', 'based on a book'],
  Fantasy: ['magic', 'dragons', 'fairy tale'],
  'Film-Noir': ['noir', 'femme fatale', 'black and white'],
  Horror: ['horror', 'gore', 'creepy', 'jump scares'],
  IMAX: ['imax', 'visually stunning'],
  Musical: ['musical', 'great soundtrack', 'singing'],
  Mystery: ['twist ending', 'mystery', 'whodunit'],
  Romance: ['romance', 'love story', 'chick flick'],
  'Sci-Fi': ['sci-fi', 'space', 'time travel', 'dystopia', 'artificial intelligence'],
  Thriller: ['suspense', 'tense', 'thriller', 'psychological'],
  War: ['war', 'world war ii', 'anti-war'],
  Western: ['western', 'cowboys', 'gunfight'],
};
export const GENERIC_TAGS = [
  'atmospheric', 'classic', 'overrated', 'underrated', 'must see', 'boring', 'beautiful',
  'cinematography', 'great acting', 'predictable', 'the "twist"', 'seen more than once',
] as const;
