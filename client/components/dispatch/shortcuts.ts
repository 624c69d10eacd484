// The console's keyboard shortcuts, one list for the handler's documentation and the "?" overlay.

export interface Shortcut {
  keys: string[];
  /** i18n key of what it does */
  does: string;
  /** needs `incidents.dispatch` (or create/link/transition): hidden from read-only users */
  coordinator?: boolean;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ['N'], does: 'dispatch.keys.new', coordinator: true },
  { keys: ['J', '↓'], does: 'dispatch.keys.next' },
  { keys: ['K', '↑'], does: 'dispatch.keys.prev' },
  { keys: ['Enter'], does: 'dispatch.keys.dispatchTop', coordinator: true },
  { keys: ['1', '…', '5'], does: 'dispatch.keys.dispatchNth', coordinator: true },
  { keys: ['D'], does: 'dispatch.keys.dispatchNext', coordinator: true },
  { keys: ['L'], does: 'dispatch.keys.link', coordinator: true },
  { keys: ['R'], does: 'dispatch.keys.release', coordinator: true },
  { keys: ['A'], does: 'dispatch.keys.ack' },
  { keys: ['/'], does: 'dispatch.keys.search' },
  { keys: ['Ctrl', 'Enter'], does: 'dispatch.keys.submit', coordinator: true },
  { keys: ['Esc'], does: 'dispatch.keys.escape' },
  { keys: ['?'], does: 'dispatch.keys.help' },
];
