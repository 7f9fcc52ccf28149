// The evolution operators (reference §4; archai's EvolutionParetoSearch): sample the initial population,
// select parents, mutate, cross over. All randomness comes from one Rng seeded by the search, drawn in
// a fixed order, so the same seed and the same measured frontiers give the same candidates. Each child
// is admitted once on its way into a generation: validated, identified (canonical form, key, id,
// counts) and checked against the bounds and everything seen before.
import type { ArchConfig } from '../space/types.js';
import { Rng } from '../util/rng.js';
import type { Identity, SearchSpaces } from './spaces.js';
import type { CandidateInfo, CandidateRecord, SearchSettings } from './types.js';

/** A child accepted for measuring; its generation travels with the batch it is measured in. */
export interface Candidate extends Identity {
  /** All slots, inactive ones too, so that later mutations can activate them. */
  genome: ArchConfig;
}

/** What a record says about its candidate, measured in generation `iteration`. */
export function infoOf(c: Candidate, iteration: number): CandidateInfo {
  return {
    id: c.id, key: c.key, family: c.family, config: c.config, iteration, decoder_params: c.decoder_params, total_params: c.total_params,
    ...(c.param_counts ? { param_counts: c.param_counts } : {}),
  };
}

/** Attempts allowed per wanted child before a generation settles for fewer. */
const ATTEMPTS_PER_CHILD = 50;

export class Evolution {
  private readonly rng: Rng;
  private readonly seen = new Set<string>();
  private readonly genomes = new Map<string, ArchConfig>();
  private readonly parentUses = new Map<string, number>();

  constructor(
    private readonly spaces: SearchSpaces,
    private readonly s: Pick<SearchSettings, 'seed' | 'param_min' | 'param_max' | 'parents' | 'mutations' | 'crossovers' | 'screen_breed'>,
  ) {
    this.rng = new Rng(s.seed);
  }

  /** `count` fresh samples, round-robin over the families so `--family all` starts with each represented. */
  sampleInitialPopulation(count: number): Candidate[] {
    const fams = this.spaces.families;
    return this.children(count, (a) => this.spaces.space(fams[a % fams.length]!).sample(this.rng));
  }

  /**
   * The next generation: children of parents drawn from the frontier, or fresh samples while it is
   * empty. settings.screen_breed breeds that many times the children (the screen then measures the
   * most promising of them); it is fixed for a run, whatever the strategy, so a resume breeds the same.
   */
  nextGeneration(frontier: CandidateRecord[]): Candidate[] {
    // Nothing measurable yet (every candidate failed): start again from fresh samples.
    if (frontier.length === 0) return this.sampleInitialPopulation(this.s.mutations + this.s.crossovers);
    const parents = this.selectParents(frontier);
    const breed = this.s.screen_breed ?? 1;
    return [...this.mutate(parents, breed * this.s.mutations), ...this.crossover(parents, frontier, breed * this.s.crossovers)];
  }

  /** Less-used parents are more likely: weight 1 / (1 + times already a parent). */
  selectParents(frontier: CandidateRecord[]): CandidateRecord[] {
    const parents: CandidateRecord[] = [];
    for (let k = 0; k < this.s.parents; k++) {
      const weights = frontier.map((r) => 1 / (1 + (this.parentUses.get(r.key) ?? 0)));
      const p = frontier[this.rng.weightedIndex(weights)]!;
      this.parentUses.set(p.key, (this.parentUses.get(p.key) ?? 0) + 1);
      parents.push(p);
    }
    return parents;
  }

  mutate(parents: CandidateRecord[], count = this.s.mutations): Candidate[] {
    return this.children(count, (a) => {
      const p = parents[a % parents.length]!;
      return this.spaces.space(p.family).mutate(this.genomeOf(p), this.rng);
    });
  }

  /** Crossover never mixes families, and needs two distinct parents (from the frontier if the drawn ones are one). */
  crossover(parents: CandidateRecord[], frontier: CandidateRecord[], count = this.s.crossovers): Candidate[] {
    return this.children(count, (a) => {
      const p = parents[a % parents.length]!;
      let mates = parents.filter((q) => q.family === p.family && q.key !== p.key);
      if (mates.length === 0) mates = frontier.filter((q) => q.family === p.family && q.key !== p.key);
      if (mates.length === 0) return undefined;
      const q = this.rng.choice(mates);
      return this.spaces.space(p.family).crossover(this.genomeOf(p), this.genomeOf(q), this.rng);
    });
  }

  /** Up to `count` admitted children of `propose`, giving up after ATTEMPTS_PER_CHILD tries per child. */
  private children(count: number, propose: (attempt: number) => ArchConfig | undefined): Candidate[] {
    const out: Candidate[] = [];
    for (let a = 0; out.length < count && a < count * ATTEMPTS_PER_CHILD; a++) {
      const genome = propose(a);
      const c = genome === undefined ? null : this.admit(genome);
      if (c) out.push(c);
    }
    return out;
  }

  /** The child as a candidate if valid, inside the bounds and never seen; null otherwise. */
  private admit(genome: ArchConfig): Candidate | null {
    if (this.spaces.space(genome.family).validate(genome) !== null) return null;
    const id = this.spaces.identify(genome);
    if (id.decoder_params < this.s.param_min || id.decoder_params > this.s.param_max || this.seen.has(id.key)) return null;
    this.seen.add(id.key);
    this.genomes.set(id.key, genome);
    return { ...id, genome };
  }

  /** A parent's full genome (inactive slots included) when this process bred it; its canonical config when resumed from disk. */
  private genomeOf(r: CandidateRecord): ArchConfig {
    return this.genomes.get(r.key) ?? r.config;
  }
}
