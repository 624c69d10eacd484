import type { Server } from 'socket.io';
import { sessionRoom } from '../auth/sessions.js';

/** Control of live sockets across every instance (through the Socket.IO Redis streams adapter). */
export interface LiveControl {
  /** Disconnects every socket of a user (or machine token: `token:<id>`) on every instance. */
  disconnectUser(userId: string): Promise<void>;
  /** Disconnects the sockets opened with one session (a logout ends only that session). */
  disconnectSession(sid: string): Promise<void>;
}

/**
 * The app is built before Socket.IO is attached to its HTTP server, so it gets this object and
 * the runtime attaches the server afterwards; until then there are no sockets to disconnect.
 */
export class DeferredLiveControl implements LiveControl {
  private io: Pick<Server, 'of'> | null = null;

  attach(io: Pick<Server, 'of'>): void {
    this.io = io;
  }

  disconnectUser(userId: string): Promise<void> {
    return this.disconnectRoom(`user:${userId}`);
  }

  disconnectSession(sid: string): Promise<void> {
    return this.disconnectRoom(sessionRoom(sid));
  }

  private async disconnectRoom(room: string): Promise<void> {
    if (!this.io) return;
    // the adapter's own call resolves once the request is on the stream (io.in().disconnectSockets()
    // returns nothing to wait for); local sockets go at once, remote ones when their instance reads it
    await this.io.of('/').adapter.disconnectSockets({ rooms: new Set([room]), except: new Set() }, true);
  }
}
