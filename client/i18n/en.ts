import type zhCN from './zh-CN.js';

// English; the same keys as zh-CN (checked by the type).
export default {
  app: { title: "Ping'an Grid", subtitle: 'Public Security Command Center' },
  nav: { map: 'Live map', wall: 'Wall', dispatch: 'Dispatch', leader: 'Leader', governance: 'Governance', admin: 'Admin' },
  login: {
    title: 'Sign in',
    username: 'Username',
    password: 'Password',
    submit: 'Sign in',
    busy: 'Signing in…',
    wrong: 'Wrong username or password',
    throttled: 'Too many attempts; try again in {s} s',
    unavailable: 'Service unavailable; please retry shortly',
    hint: 'Authorised personnel only; every action is audited',
  },
  topbar: { logout: 'Sign out', language: 'Language', user: 'Signed in as' },
  roles: { duty_officer: 'Duty officer', coordinator: 'Coordinator', leader: 'Leader', admin: 'Admin', auditor: 'Auditor' },
  conn: { connected: 'Live', reconnecting: 'Reconnecting', offline: 'Offline', stale: 'Stale' },
  banner: {
    offline: 'Disconnected — data as of {time}',
    reconnecting: 'Reconnecting — data as of {time}',
    stale: 'No updates — data as of {time}',
    never: 'no data received yet',
  },
  incidents: {
    title: 'Latest incidents',
    empty: 'No incidents',
    unlocated: 'Not located',
    open: '{n} open',
    asOf: 'as of {time}',
  },
  priority: { 1: 'P1', 2: 'P2', 3: 'P3', 4: 'P4' },
  status: { new: 'New', dispatched: 'Dispatched', en_route: 'En route', on_scene: 'On scene', resolved: 'Resolved', closed: 'Closed', cancelled: 'Cancelled' },
  unitStatus: { available: 'Available', dispatched: 'Dispatched', en_route: 'En route', on_scene: 'On scene', busy: 'Busy', off_duty: 'Off duty' },
  legend: { title: 'Legend', incidents: 'Incident priority', units: 'Unit status', stale: 'Fix older than 2 min' },
  map: { units: '{n} units', incidents: '{n} incidents', fixAge: 'fix {age}', noFix: 'no fix', reset: 'Whole city', label: 'Live situation map' },
  hud: { open: 'Open incidents', p1: 'Priority 1', online: 'Units online', available: 'Available' },
  age: { seconds: '{n} s ago', minutes: '{n} min ago', hours: '{n} h ago' },
  soon: { title: 'Coming soon', body: '“{page}” arrives in a later release; the live map is available now.', back: 'Back to the live map' },
} satisfies typeof zhCN;
