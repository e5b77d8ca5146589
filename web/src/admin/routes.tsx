import { Route } from "react-router";
import { FeedSources } from "./FeedSources";
import { ReleasePolicy } from "./ReleasePolicy";
import { StaffAccounts } from "./StaffAccounts";
import { Terms } from "./Terms";

/** Admins' pages: the organization's staff accounts, feed sources, release policy, terms. */
export const adminRoutes = (
  <>
    <Route path="/admin/staff" element={<StaffAccounts />} />
    <Route path="/admin/feed-sources" element={<FeedSources />} />
    <Route path="/admin/release-policy" element={<ReleasePolicy />} />
    <Route path="/admin/terms" element={<Terms />} />
  </>
);
