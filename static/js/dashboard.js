// The dissonance dashboard's trend chart. The page passes its data with json_script
// (#dashboard-trend-data): month labels, counts, mean scores, translated names and the link
// behind each month, so that a click on a month opens the list of its signals.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("dashboard-trend-data");
  const canvas = document.getElementById("dashboard-trend-chart");
  if (!source || !canvas || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const style = getComputedStyle(document.documentElement);
  const colour = (name, fallback) => style.getPropertyValue(name).trim() || fallback;

  new Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        {
          type: "bar",
          label: data.names.signals,
          data: data.signals,
          yAxisID: "count",
          backgroundColor: colour("--bs-danger", "#dc3545"),
        },
        {
          type: "bar",
          label: data.names.complaints,
          data: data.complaints,
          yAxisID: "count",
          backgroundColor: colour("--bs-primary", "#0d6efd"),
        },
        {
          type: "line",
          label: data.names.mean_score,
          data: data.mean_score,
          yAxisID: "score",
          borderColor: colour("--bs-body-color", "#212529"),
          backgroundColor: colour("--bs-body-color", "#212529"),
          tension: 0.25,
          spanGaps: true,
        },
      ],
    },
    options: {
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        count: {
          type: "linear",
          position: "left",
          beginAtZero: true,
          title: { display: true, text: data.names.count },
        },
        score: {
          type: "linear",
          position: "right",
          min: 0,
          max: 100,
          grid: { drawOnChartArea: false },
          title: { display: true, text: data.names.score },
        },
      },
      onClick: (_event, elements) => {
        if (elements.length && data.links[elements[0].index]) {
          window.location.href = data.links[elements[0].index];
        }
      },
    },
  });
});
