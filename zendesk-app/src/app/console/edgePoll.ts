// How the Lines page waits for the edge after a save: it asks the Worker again every `intervalMs`
// until the saved line is applied at the edge, at most `tries` times (the agent polls every 2 s
// and permissions reloads at most every 5 s, so a change is usually there within 10 s).
export const EDGE_POLL = { intervalMs: 2000, tries: 30 } as const;
