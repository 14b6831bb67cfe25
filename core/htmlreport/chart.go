package htmlreport

import (
	"bytes"
	"fmt"
	"time"

	chart "github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"

	"pcfailover/core/drill"
)

// Colors of the chart's series (also used by the HTML legend).
var (
	rtoColor = drawing.Color{R: 0x1f, G: 0x6f, B: 0xb4, A: 255}
	rpoColor = drawing.Color{R: 0xd9, G: 0x5f, B: 0x02, A: 255}
)

// HistoryChart draws RTO (seconds, go-chart's primary axis, on the right) and RPO
// (minutes, the secondary axis, on the left) of every
// drill of the history that measured them, as SVG. It returns nil without error when
// the history has no measured drill.
func HistoryChart(history []drill.HistoryEntry) ([]byte, error) {
	var xs []time.Time
	var rto, rpo []float64
	for _, h := range history {
		if h.RTOSeconds <= 0 && h.RPOSeconds <= 0 {
			continue
		}
		xs = append(xs, h.StartedAt.UTC())
		rto = append(rto, h.RTOSeconds)
		rpo = append(rpo, h.RPOSeconds/60)
	}
	if len(xs) == 0 {
		return nil, nil
	}
	minX, maxX := xs[0], xs[0]
	for _, x := range xs {
		if x.Before(minX) {
			minX = x
		}
		if x.After(maxX) {
			maxX = x
		}
	}
	// One drill, or drills within a second: widen the range so the axis is valid.
	if maxX.Sub(minX) < time.Minute {
		minX, maxX = minX.Add(-30*time.Minute), maxX.Add(30*time.Minute)
	}
	span := maxX.Sub(minX)
	format := "01-02 15:04"
	if span < 12*time.Hour {
		format = "15:04:05"
	}
	yr := func(vs []float64) *chart.ContinuousRange {
		hi := 0.0
		for _, v := range vs {
			if v > hi {
				hi = v
			}
		}
		if hi == 0 {
			hi = 1
		}
		return &chart.ContinuousRange{Min: 0, Max: hi * 1.15}
	}
	dot := func(c drawing.Color) chart.Style {
		return chart.Style{StrokeColor: c, StrokeWidth: 2, DotColor: c, DotWidth: 4}
	}
	graph := chart.Chart{
		Width:      900,
		Height:     360,
		Background: chart.Style{Padding: chart.Box{Top: 20, Left: 20, Right: 20, Bottom: 20}},
		XAxis: chart.XAxis{Name: "drill start (UTC)", ValueFormatter: chart.TimeValueFormatterWithFormat(format),
			Range: &chart.ContinuousRange{Min: chart.TimeToFloat64(minX), Max: chart.TimeToFloat64(maxX)}},
		YAxis: chart.YAxis{Name: "RTO (seconds)", Range: yr(rto), NameStyle: chart.Style{FontColor: rtoColor},
			ValueFormatter: func(v any) string { return fmt.Sprintf("%.3g", v.(float64)) }},
		YAxisSecondary: chart.YAxis{Name: "RPO (minutes)", Range: yr(rpo), NameStyle: chart.Style{FontColor: rpoColor},
			ValueFormatter: func(v any) string { return fmt.Sprintf("%.3g", v.(float64)) }},
		Series: []chart.Series{
			chart.TimeSeries{Name: "RTO (s)", XValues: xs, YValues: rto, Style: dot(rtoColor)},
			chart.TimeSeries{Name: "RPO (min)", XValues: xs, YValues: rpo, Style: dot(rpoColor), YAxis: chart.YAxisSecondary},
		},
	}
	graph.Elements = []chart.Renderable{chart.Legend(&graph)}
	var b bytes.Buffer
	if err := graph.Render(chart.SVG, &b); err != nil {
		return nil, fmt.Errorf("draw the drill history chart: %w", err)
	}
	return b.Bytes(), nil
}
