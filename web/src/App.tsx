import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { Route, Routes } from "react-router";
import { accountRoutes } from "./account/routes";
import { SessionWatch } from "./account/SessionWatch";
import { adminRoutes } from "./admin/routes";
import { appRoutes } from "./apps/routes";
import { appointmentRoutes } from "./appointments/routes";
import { Layout } from "./components/Layout";
import { healthLinkRoutes } from "./healthLinks/routes";
import { medicationRoutes } from "./medications/routes";
import { messageRoutes } from "./messages/routes";
import { Enroll } from "./pages/Enroll";
import { Home } from "./pages/Home";
import { NotFound } from "./pages/NotFound";
import { proxyRoutes } from "./proxies/routes";
import { SignIn } from "./pages/SignIn";
import { recordRoutes } from "./records/routes";
import { staffRoutes } from "./staff/routes";
import { supportRoutes } from "./support/routes";

export function newQueryClient(): QueryClient {
  // An API answer is final (a refusal stays a refusal), so queries are not retried behind the
  // patient's back; they show what happened and the patient can reload.
  return new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } } });
}

/** The portal's pages; the router around it is the caller's (the browser's, or a test's). */
export function App({ queryClient }: { queryClient: QueryClient }) {
  return (
    <QueryClientProvider client={queryClient}>
      <Layout>
        <SessionWatch />
        <Routes>
          <Route path="/" element={<Home />} />
          <Route path="/sign-in" element={<SignIn />} />
          <Route path="/enroll" element={<Enroll />} />
          {recordRoutes}
          {medicationRoutes}
          {appointmentRoutes}
          {accountRoutes}
          {staffRoutes}
          {adminRoutes}
          {supportRoutes}
          {messageRoutes}
          {proxyRoutes}
          {appRoutes}
          {healthLinkRoutes}
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Layout>
    </QueryClientProvider>
  );
}
