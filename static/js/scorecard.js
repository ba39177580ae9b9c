// The staff scorecards' charts. The page passes its data with json_script
// (#scorecard-chart-data): the mystery-shop trend, appointments and follow-ups by outcome, and
// complaints per category, with translated names. Every chart has a table next to it.
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("scorecard-chart-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const style = getComputedStyle(document.documentElement);
  const colour = (name, fallback) => style.getPropertyValue(`--bs-${name}`).trim() || fallback;

  const trend = document.getElementById("scorecard-trend-chart");
  if (trend) {
    new Chart(trend, {
      type: "line",
      data: {
        labels: data.trend.labels,
        datasets: [
          {
            label: data.trend.names.average,
            data: data.trend.average,
            borderColor: colour("primary", "#0d6efd"),
            backgroundColor: colour("primary", "#0d6efd"),
            tension: 0.25,
            spanGaps: true,
          },
        ],
      },
      options: {
        maintainAspectRatio: false,
        scales: { y: { min: 0, max: 100 } },
        plugins: {
          tooltip: {
            callbacks: {
              afterLabel: (item) => `${data.trend.names.count}: ${data.trend.count[item.dataIndex]}`,
            },
          },
        },
      },
    });
  }

  const punctuality = document.getElementById("scorecard-punctuality-chart");
  if (punctuality) {
    new Chart(punctuality, {
      type: "bar",
      data: {
        labels: data.punctuality.labels,
        datasets: data.punctuality.series.map((series) => ({
          label: series.name,
          data: series.data,
          backgroundColor: colour(series.colour, "#6c757d"),
        })),
      },
      options: {
        maintainAspectRatio: false,
        indexAxis: "y",
        scales: { x: { stacked: true, beginAtZero: true }, y: { stacked: true } },
      },
    });
  }

  const complaints = document.getElementById("scorecard-complaints-chart");
  if (complaints) {
    new Chart(complaints, {
      type: "bar",
      data: {
        labels: data.complaints.labels,
        datasets: [
          {
            label: data.complaints.names.total,
            data: data.complaints.total,
            backgroundColor: data.complaints.staff_attention.map((staff) =>
              staff ? colour("warning", "#ffc107") : colour("secondary", "#6c757d"),
            ),
          },
          {
            label: data.complaints.names.open,
            data: data.complaints.open,
            backgroundColor: colour("danger", "#dc3545"),
          },
        ],
      },
      options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
  }
});
