/**
 * A desired-state file the sync tests plan and apply, and where its resources live in the fake
 * LaunchDarkly. Tests assert the lines of its entries: an edit here moves them.
 */

/** The variation the file's flag target is served. */
export const VARIATION = '4254742c-71ae-411f-a992-43b18a51afe0';
/** The fake's paths of the file's segment, flag and (in TEAM_FILE_WITH_MOBILE) second segment. */
export const BETA = 'segments/default/beta/production';
export const CHECKOUT = 'flags/default/new-checkout/production';
export const STAGING = 'segments/mobile/testers/staging';

/**
 * A team's file, in project default, environment production: segment beta (alice included; bob
 * excluded, until a time with an offset) and flag new-checkout (contractor-17).
 */
export const TEAM_FILE = `# Who loses access when.
projects:
  default:
    environments:
      production:
        segments:
          beta:
            - contextKind: user
              contextKey: alice
              targetType: included
              expiresAt: 2031-01-01T00:00:00Z
            - contextKind: user
              contextKey: bob
              targetType: excluded
              expiresAt: 2031-06-30T14:00:00+02:00
        flags:
          new-checkout:
            - contextKind: user
              contextKey: contractor-17
              variationId: ${VARIATION}
              expiresAt: 2031-01-01T00:00:00Z
`;

/** TEAM_FILE and a second project: device 0042 in segment testers of mobile/staging. */
export const TEAM_FILE_WITH_MOBILE = `${TEAM_FILE}  mobile:
    environments:
      staging:
        segments:
          testers:
            - { contextKind: device, contextKey: "0042", targetType: included, expiresAt: 2031-01-01T00:00:00Z }
`;
