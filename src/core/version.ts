/** The package's version, sent in the agent header. `npm run version-packages` writes it; a test keeps it equal to package.json's. */
export const VERSION = '0.1.0';
export const PACKAGE_NAME = 'ld-expiring-targets';
