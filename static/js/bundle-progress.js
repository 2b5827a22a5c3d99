// Follows a moderation bundle being made and reloads the page when it is finished, so
// the downloads appear. Without JavaScript the page's own "Check again" link does it.
(function () {
    const panel = document.querySelector(".bundle-progress");
    if (!panel || ["done", "failed"].includes(panel.dataset.status)) return;
    const state = panel.querySelector(".bundle-state");
    const bar = panel.querySelector("progress");
    async function check() {
        const response = await fetch(panel.dataset.statusUrl, { headers: { Accept: "application/json" } });
        if (!response.ok) return;
        const bundle = await response.json();
        bar.value = bundle.progress;
        bar.textContent = bundle.progress + "%";
        if (bundle.status === "done" || bundle.status === "failed") {
            window.location.reload();
            return;
        }
        state.textContent = bundle.label + (bundle.stage ? ": " + bundle.stage : "");
        window.setTimeout(check, 2000);
    }
    window.setTimeout(check, 1000);
})();
