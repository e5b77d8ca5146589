import { Route } from "react-router";
import { Account } from "./Account";
import { AccountSetup } from "./AccountSetup";
import { Authenticator } from "./Authenticator";
import { ConfirmContactEmail } from "./ConfirmContactEmail";
import { ForgotPassword } from "./ForgotPassword";
import { ForgotUsername } from "./ForgotUsername";
import { ResetPassword } from "./ResetPassword";
import { Security } from "./Security";
import { SignInContinue } from "./SignInContinue";
import { SignInHistory } from "./SignInHistory";
import { Terms } from "./Terms";
import { VerifyEmail } from "./VerifyEmail";

/** The account's own pages: security, preferences, connections, and the emailed links' pages. */
export const accountRoutes = (
  <>
    <Route path="/account" element={<Account />} />
    <Route path="/account/security" element={<Security />} />
    <Route path="/account/authenticator" element={<Authenticator />} />
    <Route path="/account/sign-in-history" element={<SignInHistory />} />
    <Route path="/account/terms" element={<Terms />} />
    <Route path="/forgot-username" element={<ForgotUsername />} />
    <Route path="/forgot-password" element={<ForgotPassword />} />
    <Route path="/reset-password" element={<ResetPassword />} />
    <Route path="/verify-email" element={<VerifyEmail />} />
    <Route path="/confirm-contact-email" element={<ConfirmContactEmail />} />
    <Route path="/account-setup" element={<AccountSetup />} />
    <Route path="/sign-in/continue" element={<SignInContinue />} />
  </>
);
