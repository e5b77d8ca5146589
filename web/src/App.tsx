import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { Route, Routes } from "react-router";
import { Layout } from "./components/Layout";
import { Enroll } from "./pages/Enroll";
import { Home } from "./pages/Home";
import { NotFound } from "./pages/NotFound";
import { SignIn } from "./pages/SignIn";
import { Documents } from "./records/Documents";
import { ResultDetail } from "./records/ResultDetail";
import { Results } from "./records/Results";

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
        <Routes>
          <Route path="/" element={<Home />} />
          <Route path="/sign-in" element={<SignIn />} />
          <Route path="/enroll" element={<Enroll />} />
          <Route path="/results" element={<Results />} />
          <Route path="/results/:resultId" element={<ResultDetail />} />
          <Route path="/documents" element={<Documents />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </Layout>
    </QueryClientProvider>
  );
}
