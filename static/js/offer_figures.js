// The cross-selling figures' charts. The page passes its data with json_script
// (#offer-figures-data): the pipeline per rule, the held-back offers per reason, the commercial
// contacts per customer and month, and the service retention per vehicle age. Every chart has
// a table next to it with the links behind the numbers.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("offer-figures-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const style = getComputedStyle(document.documentElement);
  const palette = ["info", "primary", "success", "danger", "secondary", "warning"].map(
    (name) => style.getPropertyValue(`--bs-${name}`).trim() || "#6c757d",
  );
  const bars = (id, labels, datasets, options = {}) => {
    const canvas = document.getElementById(id);
    if (!canvas || labels.length === 0) {
      return;
    }
    new Chart(canvas, {
      type: "bar",
      data: { labels, datasets },
      options: { maintainAspectRatio: false, ...options },
    });
  };
  const series = (list) =>
    list.map((item, index) => ({ label: item.name, data: item.data, backgroundColor: palette[index % palette.length] }));

  bars("offer-rules-chart", data.rules.labels, series(data.rules.series), {
    scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
  });
  bars(
    "offer-held-back-chart",
    data.held_back.labels,
    [{ label: data.held_back.name, data: data.held_back.data, backgroundColor: palette[5] }],
    { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
  );
  bars("offer-impulses-chart", data.impulses.labels, series(data.impulses.series), {
    scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
  });
  bars(
    "offer-retention-chart",
    data.retention.labels,
    [{ label: data.retention.name, data: data.retention.data, backgroundColor: palette[2] }],
    { scales: { y: { min: 0, max: 100 } } },
  );
});
