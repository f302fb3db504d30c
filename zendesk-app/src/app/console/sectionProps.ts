import type { CarrierDraft } from './carrierOptions';
import type { FieldProblems } from './lineForm';

/** What each carrier-options section of the line form gets. */
export interface SectionProps {
  carrier: CarrierDraft;
  /** The problems shown now, by request path (`routing.no_answer_ms`). */
  problems: FieldProblems;
  /** Changes some options; `field` is the request path the change belongs to. */
  onChange(patch: Partial<CarrierDraft>, field: string): void;
}
