/** Admins' pages: the organization's staff accounts, feed sources, release policy, terms. */
export const adminRoutes = <></>;
