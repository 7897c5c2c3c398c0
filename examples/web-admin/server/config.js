/**
 * What the admin page may pick from a list, and who may change what. The page can also type any
 * segment or flag; the proxy still forwards only the four expiring-target operations, and
 * `authorize` (server/app-server.js) still decides per environment.
 */

/** Segments and flags named in the page's list. A flag lists its variations for new schedules. */
export const DEFAULT_RESOURCES = [
  { kind: 'segment', projectKey: 'default', environmentKey: 'production', key: 'beta-testers' },
  { kind: 'segment', projectKey: 'default', environmentKey: 'production', key: 'early-access' },
  {
    kind: 'flag',
    projectKey: 'default',
    environmentKey: 'production',
    key: 'new-checkout',
    variations: [
      { id: 'v-on', name: 'on' },
      { id: 'v-off', name: 'off' },
    ],
  },
  // The demo user may read and change production only: this one answers 403.
  { kind: 'segment', projectKey: 'default', environmentKey: 'staging', key: 'beta-testers' },
];

/** The demo users, by session; a real app reads its own session store. */
export const DEMO_USERS = {
  'demo-admin': { name: 'demo-admin', environments: ['production'] },
};

/** What the fake LaunchDarkly starts with, so the page has something to show. */
export function demoSeed(now = Date.now()) {
  const day = 24 * 60 * 60 * 1000;
  const at = (days, hour) => {
    const d = new Date(now + days * day);
    d.setUTCHours(hour, 0, 0, 0);
    return d.getTime();
  };
  return [
    {
      id: 'segments/default/beta-testers/production',
      resource: 'segment',
      targets: [
        { contextKind: 'user', contextKey: 'alice', targetType: 'included', expirationDate: at(2, 9), _version: 1 },
        { contextKind: 'user', contextKey: 'bob', targetType: 'included', expirationDate: at(2, 17), _version: 1 },
        { contextKind: 'organization', contextKey: 'acme', targetType: 'excluded', expirationDate: at(5, 12), _version: 1 },
      ],
    },
    {
      id: 'flags/default/new-checkout/production',
      resource: 'flag',
      targets: [{ contextKind: 'user', contextKey: 'dana', variationId: 'v-on', expirationDate: at(3, 8), _version: 1 }],
    },
  ];
}
