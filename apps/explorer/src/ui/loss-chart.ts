// The model card's small chart: validation RMSE per epoch (Chart.js line).
import { CategoryScale, Chart, LineController, LineElement, LinearScale, PointElement, Tooltip } from 'chart.js';
import type { EpochPoint } from '../model-card';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Tooltip);

export function drawLossChart(canvas: HTMLCanvasElement, epochs: EpochPoint[]): Chart<'line'> {
  canvas.setAttribute(
    'aria-label',
    `Validation RMSE per epoch: ${epochs.map((e) => `epoch ${e.epoch} ${e.validRmse.toFixed(3)}`).join(', ')}`,
  );
  return new Chart(canvas, {
    type: 'line',
    data: {
      labels: epochs.map((e) => String(e.epoch)),
      datasets: [
        {
          label: 'Valid RMSE',
          data: epochs.map((e) => e.validRmse),
          borderColor: '#1f5fa8',
          backgroundColor: '#1f5fa8',
          pointRadius: 3,
          tension: 0.15,
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (i) => `valid RMSE ${Number(i.raw).toFixed(4)}` } } },
      scales: {
        x: { title: { display: true, text: 'Epoch', color: '#4a5361' }, ticks: { color: '#4a5361' }, grid: { display: false } },
        y: { title: { display: true, text: 'Valid RMSE', color: '#4a5361' }, ticks: { color: '#4a5361' }, grid: { color: '#e3e6eb' } },
      },
    },
  });
}
