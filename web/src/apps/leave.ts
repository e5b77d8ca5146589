// Leaving the portal for the app's own address (its redirect URI, with the code or the refusal).
// The API made the address from the app's registration, so the page follows it as it came. It is
// an object's method so that a test can see where the page went without the browser going there.
export const leave = {
  to(url: string): void {
    window.location.assign(url);
  },
};
