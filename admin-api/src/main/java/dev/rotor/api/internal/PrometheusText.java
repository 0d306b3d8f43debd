package dev.rotor.api.internal;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Writes a Dropwizard {@link MetricRegistry} in the Prometheus text exposition format 0.0.4.
 *
 * <ul>
 *   <li>names: every character outside {@code [a-zA-Z0-9_:]} becomes {@code _}; a leading digit gets a {@code _};
 *   <li>gauge with a numeric or boolean value: {@code gauge} (other gauges are left out);
 *   <li>counter: {@code gauge} (a Dropwizard counter can go down);
 *   <li>meter: {@code counter} named {@code <name>_total};
 *   <li>histogram: {@code summary} with quantiles 0.5 .. 0.999 and {@code _count};
 *   <li>timer: {@code summary} in seconds, named {@code <name>_seconds}, with {@code _count}.
 * </ul>
 *
 * When two metrics map to one name, the first (in the registry's sorted order) wins.
 */
public final class PrometheusText {

    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final double[] QUANTILES = {0.5, 0.75, 0.95, 0.98, 0.99, 0.999};

    private PrometheusText() {}

    public static String format(MetricRegistry registry) {
        StringBuilder out = new StringBuilder(4096);
        Set<String> seen = new HashSet<>();
        for (Map.Entry<String, Gauge> e : registry.getGauges().entrySet()) {
            Object v;
            try {
                v = e.getValue().getValue();
            } catch (RuntimeException ex) {
                continue; // a broken gauge must not break the scrape
            }
            Double d = v instanceof Number n ? Double.valueOf(n.doubleValue()) : v instanceof Boolean b ? (b ? 1.0 : 0.0) : null;
            String name = sanitize(e.getKey());
            if (d != null && seen.add(name)) {
                header(out, name, "gauge");
                sample(out, name, "", d);
            }
        }
        for (Map.Entry<String, Counter> e : registry.getCounters().entrySet()) {
            String name = sanitize(e.getKey());
            if (seen.add(name)) {
                header(out, name, "gauge");
                sample(out, name, "", e.getValue().getCount());
            }
        }
        for (Map.Entry<String, Meter> e : registry.getMeters().entrySet()) {
            String name = sanitize(e.getKey()) + "_total";
            if (seen.add(name)) {
                header(out, name, "counter");
                sample(out, name, "", e.getValue().getCount());
            }
        }
        for (Map.Entry<String, Histogram> e : registry.getHistograms().entrySet()) {
            String name = sanitize(e.getKey());
            if (seen.add(name)) {
                summary(out, name, e.getValue().getSnapshot(), e.getValue().getCount(), 1.0);
            }
        }
        for (Map.Entry<String, Timer> e : registry.getTimers().entrySet()) {
            String name = sanitize(e.getKey()) + "_seconds";
            if (seen.add(name)) {
                summary(out, name, e.getValue().getSnapshot(), e.getValue().getCount(), 1.0 / TimeUnit.SECONDS.toNanos(1));
            }
        }
        return out.toString();
    }

    static String sanitize(String name) {
        StringBuilder sb = new StringBuilder(name.length() + 1);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || (c >= '0' && c <= '9');
            sb.append(ok ? c : '_');
        }
        if (sb.isEmpty() || Character.isDigit(sb.charAt(0))) {
            sb.insert(0, '_');
        }
        return sb.toString();
    }

    private static void summary(StringBuilder out, String name, Snapshot s, long count, double factor) {
        header(out, name, "summary");
        for (double q : QUANTILES) {
            sample(out, name, "{quantile=\"" + q + "\"}", s.getValue(q) * factor);
        }
        sample(out, name + "_count", "", count);
    }

    private static void header(StringBuilder out, String name, String type) {
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, String labels, double value) {
        out.append(name).append(labels).append(' ').append(number(value)).append('\n');
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }
}
