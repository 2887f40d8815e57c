// Tree-shaken ECharts: only the renderer, charts and components the panels use.
import { BarChart, LineChart, PieChart, GaugeChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent, TitleComponent } from 'echarts/components'
import { use } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'

use([CanvasRenderer, BarChart, LineChart, PieChart, GaugeChart, GridComponent, LegendComponent, TooltipComponent, TitleComponent])
