// Checks a `voice_comment` object and renders the text an agent would see for it.
import { FieldErrorList, isPositiveInteger, isRecord } from '../responses';
import type { StandinStore, VoiceCommentData } from '../store';

const FIELD = 'voice_comment';

function optionalString(
  input: Record<string, unknown>,
  key: string,
  errors: FieldErrorList,
): string | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  errors.add(FIELD, `Voice comment: ${key} must be a string`);
  return undefined;
}

function requiredString(
  input: Record<string, unknown>,
  key: string,
  errors: FieldErrorList,
): string {
  const value = input[key];
  if (typeof value === 'string' && value.trim() !== '') return value;
  errors.add(FIELD, `Voice comment: ${key} cannot be blank`, 'BlankValue');
  return '';
}

/**
 * Validates a voice comment. UNCONFIRMED: Zendesk's per-field "mandatory" flags are not documented,
 * so the stand-in requires from, to, started_at and call_duration (the fields a call always has) and
 * checks the documented types of the rest. Problems are added to `errors` under `voice_comment`.
 */
export function parseVoiceComment(
  input: unknown,
  store: StandinStore,
  errors: FieldErrorList,
): VoiceCommentData | null {
  if (!isRecord(input)) {
    errors.add(FIELD, 'Voice comment: must be an object');
    return null;
  }
  const before = errors.details[FIELD]?.length ?? 0;
  const from = requiredString(input, 'from', errors);
  const to = requiredString(input, 'to', errors);
  const startedAt = requiredString(input, 'started_at', errors);
  if (startedAt && Number.isNaN(Date.parse(startedAt))) {
    errors.add(FIELD, `Voice comment: started_at ${startedAt} is not an ISO 8601 date`);
  }
  const duration = input.call_duration;
  if (typeof duration !== 'number' || !Number.isSafeInteger(duration) || duration < 0) {
    errors.add(FIELD, 'Voice comment: call_duration must be a whole number of seconds');
  }
  const recordingUrl = optionalString(input, 'recording_url', errors);
  if (recordingUrl !== undefined && !/^https?:\/\//.test(recordingUrl)) {
    errors.add(FIELD, `Voice comment: recording_url ${recordingUrl} is not an http(s) URL`);
  }
  const answeredBy = input.answered_by_id;
  if (answeredBy !== undefined && answeredBy !== null) {
    const agent = isPositiveInteger(answeredBy) ? store.users.get(answeredBy) : undefined;
    if (!agent || agent.role === 'end-user') {
      errors.add(FIELD, `Voice comment: answered_by_id ${String(answeredBy)} is not an agent`);
    }
  }
  const transcription = optionalString(input, 'transcription_text', errors);
  const location = optionalString(input, 'location', errors);
  if ((errors.details[FIELD]?.length ?? 0) !== before) return null;
  return {
    from,
    to,
    started_at: startedAt,
    call_duration: duration as number,
    ...(recordingUrl !== undefined ? { recording_url: recordingUrl } : {}),
    ...(isPositiveInteger(answeredBy) ? { answered_by_id: answeredBy } : {}),
    ...(transcription !== undefined ? { transcription_text: transcription } : {}),
    ...(location !== undefined ? { location } : {}),
  };
}

/** UNCONFIRMED: the text Zendesk shows for a voice comment; ours lists the call's facts. */
export function voiceCommentBody(data: VoiceCommentData, store: StandinStore): string {
  const lines = [
    `Call from: ${data.from}`,
    `Call to: ${data.to}`,
    `Time of call: ${data.started_at}`,
    `Length of phone call: ${data.call_duration} seconds`,
  ];
  if (data.answered_by_id !== undefined) {
    lines.push(`Answered by: ${store.users.get(data.answered_by_id)?.name ?? data.answered_by_id}`);
  }
  if (data.location) lines.push(`Location: ${data.location}`);
  if (data.recording_url) lines.push(`Recording: ${data.recording_url}`);
  if (data.transcription_text) lines.push(`Transcription: ${data.transcription_text}`);
  return lines.join('\n');
}
