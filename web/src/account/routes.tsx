/** The account's own pages: security, preferences, connections, and the emailed links' pages. */
export const accountRoutes = <></>;
