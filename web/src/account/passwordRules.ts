import type { ParseKeys } from "i18next";

// The password rules the API enforces (chalicelib/accounts/passwords.py), checked here as the
// person types so they see what is missing before sending. The API stays the judge: it also
// refuses common passwords, which are not shipped to the browser.
export const MIN_LENGTH = 8;
export const MAX_LENGTH = 128;
// A shorter user name would match inside many good passphrases; the API ignores it too.
const MIN_USERNAME_TO_MATCH = 3;

export interface Rule {
  key: ParseKeys;
  met: boolean;
}

export function passwordRules(password: string, context: { username?: string; email?: string } = {}): Rule[] {
  const length = [...password].length; // every character (an accent, an emoji) counts as one
  const folded = password.trim().toLowerCase();
  const rules: Rule[] = [
    { key: "account.password.ruleMin", met: length >= MIN_LENGTH },
    { key: "account.password.ruleMax", met: length <= MAX_LENGTH },
  ];
  const name = (context.username ?? "").trim().toLowerCase();
  if (name.length >= MIN_USERNAME_TO_MATCH) {
    rules.push({ key: "account.password.ruleNoUsername", met: folded !== "" && !folded.includes(name) });
  }
  const address = (context.email ?? "").trim().toLowerCase();
  if (address.includes("@")) {
    const local = address.slice(0, address.lastIndexOf("@"));
    rules.push({ key: "account.password.ruleNoEmail", met: folded !== "" && folded !== address && folded !== local });
  }
  return rules;
}
