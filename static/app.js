// pbportal's only script. It is an enhancement: every page works without it.
import { initAll } from "./vendor/govuk-frontend-6.3.0/govuk-frontend.min.js";

document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
}
initAll();

// htmx swaps in new markup: start GOV.UK components inside it and move focus where a person needs it.
document.body.addEventListener("htmx:afterSettle", (event) => {
  const scope = event.detail.elt;
  if (!(scope instanceof Element) || !scope.isConnected) return;
  initAll({ scope });
  const target = scope.querySelector(".govuk-error-summary, .govuk-notification-banner--success");
  if (target) {
    target.setAttribute("tabindex", "-1");
    target.focus();
  }
});

// While a form is being sent, stop a second tap from sending it twice.
document.body.addEventListener("htmx:beforeRequest", (event) => {
  event.detail.elt.querySelectorAll?.("button[type=submit], input[type=submit]").forEach((b) => { b.disabled = true; });
});
document.body.addEventListener("htmx:afterRequest", (event) => {
  event.detail.elt.querySelectorAll?.("button[type=submit], input[type=submit]").forEach((b) => { b.disabled = false; });
});

// A failed htmx request (server error, connection lost) falls back to the ordinary page load.
document.body.addEventListener("htmx:responseError", (event) => {
  const form = event.detail.elt.closest?.("form");
  if (form) {
    HTMLFormElement.prototype.submit.call(form);
  }
});
document.body.addEventListener("htmx:sendError", () => {
  const live = document.getElementById("pb-live");
  if (live) live.textContent = "The connection was lost. Check it and try again.";
});
