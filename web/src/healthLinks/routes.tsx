import { lazyPages } from "../components/lazyPages";

const at = lazyPages(() => import("./pages"));

/**
 * SMART Health Links: "Share my record" (a link and QR code to a summary of the record) and the
 * public viewer that opens such a link without signing in (`/shl#shlink:/...`: the link, and its
 * key, stay in the address's fragment).
 */
export const healthLinkRoutes = (
  <>
    {at("/share", "Share")}
    {at("/shl", "Viewer")}
  </>
);
