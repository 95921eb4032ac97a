// Outreach's only hand-written script: the Copy button of the draft editor. Everything else is htmx.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-form]");
  if (!button) return;
  const form = button.closest("form");
  const text = `Subject: ${form.elements.subject.value}\n\n${form.elements.body.value}`;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied ✓";
  } catch {
    button.textContent = "Copy failed: select the text and copy it";
  }
});
