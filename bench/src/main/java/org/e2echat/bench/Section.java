package org.e2echat.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One scenario's part of the report: its figures as JSON-ready data, its Markdown, any SVG plots,
 * and the problems that make the run fail (loss, duplicates, misroutes, refused sends) — never a
 * speed threshold.
 */
public final class Section {

    public final String name;
    public final Map<String, Object> data = new LinkedHashMap<>();
    public final StringBuilder markdown = new StringBuilder();
    public final Map<String, String> plots = new LinkedHashMap<>();
    public final List<String> problems = new ArrayList<>();

    public Section(String name) {
        this.name = name;
    }

    public Section md(String format, Object... args) {
        markdown.append(String.format(java.util.Locale.ROOT, format, args)).append('\n');
        return this;
    }

    /** A Markdown table row from cells. */
    public Section row(Object... cells) {
        StringBuilder b = new StringBuilder("|");
        for (Object c : cells) {
            b.append(' ').append(c).append(" |");
        }
        markdown.append(b).append('\n');
        return this;
    }

    public static String f1(double v) {
        return Double.isNaN(v) ? "–" : String.format(java.util.Locale.ROOT, "%.1f", v);
    }

    public static String f2(double v) {
        return Double.isNaN(v) ? "–" : String.format(java.util.Locale.ROOT, "%.2f", v);
    }

    /** {@code a / b} as "2.0×", or – when either is missing. */
    public static String ratio(double a, double b) {
        return Double.isNaN(a) || Double.isNaN(b) || b <= 0 ? "–" : String.format(java.util.Locale.ROOT, "%.1f×", a / b);
    }
}
