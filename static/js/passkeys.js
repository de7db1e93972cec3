// The security page: after a passkey is registered, show it (reload the page).
// django-otp-webauthn's script announces it with the event below.
document.addEventListener("otp_webauthn.register_complete", () => {
  const holder = document.querySelector("[data-passkey-reload]");
  window.location.assign(holder ? holder.dataset.passkeyReload : window.location.href);
});
