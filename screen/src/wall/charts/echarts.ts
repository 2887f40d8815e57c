// Tree-shaken ECharts: only the renderer, charts and components the panels use.
import { BarChart, LineChart, PieChart, GaugeChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent, TitleComponent } from 'echarts/components'
import { getInstanceByDom, use } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'

use([CanvasRenderer, BarChart, LineChart, PieChart, GaugeChart, GridComponent, LegendComponent, TooltipComponent, TitleComponent])

declare global {
  interface Window {
    /** canvas text is not in the DOM: the browser e2e reads the charts' own text boxes through this (as it reads the map through __map) */
    __echarts?: { getInstanceByDom: typeof getInstanceByDom }
  }
}
window.__echarts = { getInstanceByDom }
