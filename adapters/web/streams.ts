/** An open event stream that can be told to stop. */
export type ClosableStream = { close(reason: 'replaced' | 'ended'): void };

/**
 * Open event streams per chat session, at most `cap` each: a further one (a new tab, a reconnect whose old
 * socket is not yet noticed as dead) closes the oldest, so one session can never hold hundreds of connections.
 */
export class StreamRegistry {
  private readonly bySession = new Map<string, ClosableStream[]>();

  constructor(private readonly cap: number) {}

  add(session: string, stream: ClosableStream): void {
    const open = this.bySession.get(session) ?? [];
    open.push(stream);
    this.bySession.set(session, open);
    while (open.length > this.cap) open.shift()?.close('replaced');
  }

  remove(session: string, stream: ClosableStream): void {
    const open = this.bySession.get(session);
    if (!open) return;
    const index = open.indexOf(stream);
    if (index >= 0) open.splice(index, 1);
    if (open.length === 0) this.bySession.delete(session);
  }

  closeAll(session: string, reason: 'replaced' | 'ended'): void {
    for (const stream of [...(this.bySession.get(session) ?? [])]) stream.close(reason);
  }

  count(session: string): number {
    return this.bySession.get(session)?.length ?? 0;
  }
}
