package org.e2echat.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Small hand-written SVG line charts for the report: p50 and p99 latency by rate, both axes log scale. */
public final class Plot {

    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};
    private static final int W = 640;
    private static final int H = 360;
    private static final int L = 60;
    private static final int R = 150;
    private static final int T = 30;
    private static final int B = 40;

    /** One measured step of one series (e.g. a server). */
    public record Point(String series, double x, double p50, double p99) {
    }

    private Plot() {
    }

    public static String latency(String title, List<Point> points, String xLabel) {
        List<Point> valid = points.stream().filter(p -> p.x > 0 && p.p50 > 0 && p.p99 > 0).toList();
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"11\">%n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", W, H));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"13\">%s</text>%n", L, esc(title)));
        if (valid.isEmpty()) {
            return svg.append("<text x=\"60\" y=\"60\">no data</text></svg>\n").toString();
        }
        double xMin = Math.log10(valid.stream().mapToDouble(Point::x).min().orElse(1));
        double xMax = Math.log10(valid.stream().mapToDouble(Point::x).max().orElse(10));
        double yMin = Math.floor(Math.log10(valid.stream().mapToDouble(Point::p50).min().orElse(0.1)));
        double yMax = Math.ceil(Math.log10(valid.stream().mapToDouble(Point::p99).max().orElse(10)));
        if (xMax - xMin < 1e-9) {
            xMin -= 0.5;
            xMax += 0.5;
        }
        if (yMax - yMin < 1) {
            yMax = yMin + 1;
        }
        double fx0 = xMin;
        double fx1 = xMax;
        double fy0 = yMin;
        double fy1 = yMax;
        java.util.function.DoubleUnaryOperator px = x -> L + (Math.log10(x) - fx0) / (fx1 - fx0) * (W - L - R);
        java.util.function.DoubleUnaryOperator py = y -> H - B - (Math.log10(y) - fy0) / (fy1 - fy0) * (H - T - B);
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", L, H - B, W - R, H - B));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", L, T, L, H - B));
        for (double e = yMin; e <= yMax; e++) {
            double y = py.applyAsDouble(Math.pow(10, e));
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", L, y, W - R, y, L - 4, y + 4,
                    trim(Math.pow(10, e))));
        }
        for (double x : valid.stream().mapToDouble(Point::x).distinct().sorted().toArray()) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    px.applyAsDouble(x), H - B + 14, trim(x)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                (W - R + L) / 2, H - 8, esc(xLabel)));
        Map<String, List<Point>> bySeries = new LinkedHashMap<>();
        valid.forEach(p -> bySeries.computeIfAbsent(p.series, k -> new ArrayList<>()).add(p));
        int i = 0;
        for (var e : bySeries.entrySet()) {
            String colour = COLOURS[i % COLOURS.length];
            for (int pct = 0; pct < 2; pct++) {
                StringBuilder path = new StringBuilder();
                for (Point p : e.getValue().stream().sorted((a, b) -> Double.compare(a.x, b.x)).toList()) {
                    path.append(path.length() == 0 ? "M" : " L").append(String.format(Locale.ROOT, "%.1f %.1f",
                            px.applyAsDouble(p.x), py.applyAsDouble(pct == 0 ? p.p50 : p.p99)));
                }
                svg.append(String.format(Locale.ROOT, "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                        path, colour, pct == 0 ? "" : " stroke-dasharray=\"5,3\""));
                int ly = T + 10 + (i * 2 + pct) * 16;
                svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                        + "stroke-width=\"2\"%s/><text x=\"%d\" y=\"%d\">%s %s</text>%n", W - R + 10, ly, W - R + 30, ly,
                        colour, pct == 0 ? "" : " stroke-dasharray=\"5,3\"", W - R + 34, ly + 4, esc(e.getKey()),
                        pct == 0 ? "p50" : "p99"));
            }
            i++;
        }
        return svg.append("</svg>\n").toString();
    }

    private static String trim(double v) {
        return v >= 1 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%s", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;");
    }
}
