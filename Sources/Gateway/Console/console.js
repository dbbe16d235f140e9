// The console's entry point: it uses the public API only (issue 27).
const status = document.getElementById("status");
fetch("/readyz").then((r) => {
  if (!r.ok) status.textContent += " Some services are not answering right now.";
}).catch(() => { status.textContent += " The gateway is not answering."; });
