import type { Schemas } from '../api/client';

export type Challenge = Schemas['ChallengeTypes'];
export type ErrorDetail = Schemas['ErrorDetail'];
export type ResponseErrors = Record<string, ErrorDetail[]> | undefined;

/** What every stage component gets: its challenge, and how to answer it. */
export interface StageProps<C> {
  challenge: C;
  submit(payload: Record<string, unknown>): Promise<void>;
  busy: boolean;
}
