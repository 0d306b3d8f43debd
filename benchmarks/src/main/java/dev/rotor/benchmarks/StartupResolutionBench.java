package dev.rotor.benchmarks;

import com.codahale.metrics.MetricRegistry;
import dev.rotor.Rotor;
import dev.rotor.aws.AwsStoreProvider;
import dev.rotor.config.RotorConfig;
import dev.rotor.resolve.Resolution;
import dev.rotor.resolve.SecretResolver;
import dev.rotor.spi.ProviderRegistry;
import dev.rotor.store.DecoratedSecretStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.BatchGetSecretValueResponse;

/**
 * Startup resolution against moto: how long {@link SecretResolver} takes to resolve N refs (one
 * field each of N secrets) through a {@link Rotor}'s AWS store with its audit (hash-chained,
 * fsynced file), cache, metrics and retry layers (c), side by side in the same run with the same
 * N secrets read by the bare AWS SDK client, (a) one {@code GetSecretValue} call per secret
 * and (b) {@code BatchGetSecretValue} calls of 20 secrets. (d) is (c) without the audit log,
 * to show what the one fsynced audit append of a pass costs.
 *
 * <p>Each round runs the three in turn (the order rotating from round to round, so that drift
 * on a shared machine hits all three alike); before each resolver pass the cache is emptied,
 * so every pass reads from moto as an application's first start does. The SDK clients of both
 * sides are built, and have made a call, before the first round: a pass measures reading, not
 * opening connections or loading classes. Warm-up rounds run first and are not reported.
 *
 * <p>Usage: {@code StartupResolutionBench [refs=50] [warmup=20] [rounds=50]}; prints one line
 * per side with the median, p90, min and max in ms, and the two ratios the targets are about.
 */
public final class StartupResolutionBench {

    private static final String ACCESS_KEY_ENV = "BENCH_AWS_ACCESS_KEY_ID";
    private static final String SECRET_KEY_ENV = "BENCH_AWS_SECRET_ACCESS_KEY";

    private StartupResolutionBench() {}

    /** The timings of one side, in nanoseconds, one per measured round. */
    record Timings(String name, long[] nanos) {
        double percentileMillis(double p) {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
        }

        double medianMillis() {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            int n = sorted.length;
            return (n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0) / 1e6;
        }

        String line() {
            return String.format(Locale.ROOT, "%-34s median %8.2f ms   p90 %8.2f ms   min %8.2f ms   max %8.2f ms",
                    name, medianMillis(), percentileMillis(90), percentileMillis(0), percentileMillis(100));
        }
    }

    /** What one run measured. */
    record Result(int refs, int rounds, Timings oneByOne, Timings batch, Timings resolver, Timings unaudited) {
        double speedupOverOneByOne() {
            return oneByOne.medianMillis() / resolver.medianMillis();
        }

        double ratioToBatch() {
            return resolver.medianMillis() / batch.medianMillis();
        }
    }

    public static void main(String[] args) throws Exception {
        int refs = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        PrintStream out = System.out;
        out.printf("startup resolution: %d refs from moto, %d warm-up rounds, %d measured rounds; load %s%n",
                refs, warmup, rounds, loadAverage());
        try (MotoServer moto = MotoServer.start()) {
            Result r = run(moto, refs, warmup, rounds);
            out.println(r.oneByOne().line());
            out.println(r.batch().line());
            out.println(r.resolver().line());
            out.println(r.unaudited().line());
            out.printf(Locale.ROOT, "resolver vs one-by-one: %.1fx faster (median; target >= 10x)%n", r.speedupOverOneByOne());
            out.printf(Locale.ROOT, "resolver vs bare batch: %.2fx the time (median; target <= 1.5x)%n", r.ratioToBatch());
            out.printf("load after: %s%n", loadAverage());
        }
    }

    /** Stores {@code refs} secrets in moto and measures the three sides; moto stays the caller's. */
    static Result run(MotoServer moto, int refs, int warmup, int rounds) throws IOException {
        if (refs < 1 || warmup < 0 || rounds < 1) {
            throw new IllegalArgumentException("refs and rounds must be positive, warmup not negative");
        }
        Path dir = Files.createTempDirectory("rotor-bench-startup-");
        try (SecretsManagerClient client = SecretsManagerClient.builder()
                .endpointOverride(moto.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            List<String> names = new ArrayList<>();
            Properties config = new Properties();
            for (int i = 0; i < refs; i++) {
                String name = String.format(Locale.ROOT, "startup/app-%03d", i);
                String json = "{\"username\":\"app" + i + "\",\"password\":\"bench-password-" + i + "\"}";
                client.createSecret(b -> b.name(name).secretString(json));
                names.add(name);
                config.setProperty("db" + i + ".password", "secret://aws/" + name + "#password");
            }
            String storeYaml = """
                    stores:
                      aws:
                        type: aws
                        region: us-east-1
                        endpoint: %s
                        credentials:
                          type: static
                          accessKeyIdEnv: %s
                          secretAccessKeyEnv: %s
                    cache:
                      ttl: 5m
                    """.formatted(moto.endpoint(), ACCESS_KEY_ENV, SECRET_KEY_ENV);
            Files.writeString(dir.resolve("rotor.yaml"), storeYaml + "audit:\n  file: ./audit.jsonl\n", StandardCharsets.UTF_8);
            Files.writeString(dir.resolve("no-audit.yaml"), storeYaml, StandardCharsets.UTF_8);
            Map<String, String> env = Map.of(ACCESS_KEY_ENV, "bench", SECRET_KEY_ENV, "bench", "USER", "bench", "HOSTNAME", "bench");
            ProviderRegistry providers = ProviderRegistry.builder().register(new AwsStoreProvider()).build();
            try (Rotor rotor = Rotor.builder(RotorConfig.load(dir.resolve("rotor.yaml")), providers)
                    .environment(env::get).metrics(new MetricRegistry()).build();
                    Rotor unaudited = Rotor.builder(RotorConfig.load(dir.resolve("no-audit.yaml")), providers)
                    .environment(env::get).metrics(new MetricRegistry()).build()) {
                List<Side> sides = List.of(
                        new Side("(a) GetSecretValue one by one", () -> oneByOne(client, names)),
                        new Side("(b) BatchGetSecretValue, bare", () -> batch(client, names)),
                        new Side("(c) SecretResolver via Rotor", () -> resolve(rotor, config)),
                        new Side("(d) (c) without the audit log", () -> resolve(unaudited, config)));
                long[][] measured = new long[sides.size()][rounds];
                for (int round = 0; round < warmup + rounds; round++) {
                    for (int k = 0; k < sides.size(); k++) {
                        int s = (round + k) % sides.size();
                        Pass pass = sides.get(s).pass().run();
                        if (pass.read() != refs) {
                            throw new IllegalStateException(sides.get(s).name() + " read " + pass.read() + " of " + refs + " secrets");
                        }
                        if (round >= warmup) {
                            measured[s][round - warmup] = pass.nanos();
                        }
                    }
                }
                return new Result(refs, rounds, new Timings(sides.get(0).name(), measured[0]),
                        new Timings(sides.get(1).name(), measured[1]), new Timings(sides.get(2).name(), measured[2]),
                        new Timings(sides.get(3).name(), measured[3]));
            }
        } finally {
            TempDirs.deleteRecursively(dir);
        }
    }

    /** How long one pass took and how many secrets (or refs) it read. */
    record Pass(long nanos, int read) {}

    @FunctionalInterface
    interface PassRunner {
        Pass run();
    }

    record Side(String name, PassRunner pass) {}

    /** One resolver pass over an emptied cache, as at an application's first start. */
    private static Pass resolve(Rotor rotor, Properties config) {
        ((DecoratedSecretStore) rotor.store("aws")).invalidateAll();
        long start = System.nanoTime();
        Resolution<Properties> resolution = SecretResolver.of(rotor).resolve(config);
        long took = System.nanoTime() - start;
        int n = resolution.locations().size();
        resolution.destroy();
        return new Pass(took, n);
    }

    private static Pass oneByOne(SecretsManagerClient client, List<String> names) {
        long start = System.nanoTime();
        int read = 0;
        for (String name : names) {
            if (client.getSecretValue(b -> b.secretId(name)).secretString() != null) {
                read++;
            }
        }
        return new Pass(System.nanoTime() - start, read);
    }

    private static Pass batch(SecretsManagerClient client, List<String> names) {
        long start = System.nanoTime();
        int read = 0;
        for (int from = 0; from < names.size(); from += 20) {
            List<String> chunk = names.subList(from, Math.min(names.size(), from + 20));
            String next = null;
            do {
                String token = next;
                BatchGetSecretValueResponse r = client.batchGetSecretValue(b -> b.secretIdList(chunk).nextToken(token));
                read += r.secretValues().size();
                next = r.nextToken() == null || r.nextToken().isEmpty() ? null : r.nextToken();
            } while (next != null);
        }
        return new Pass(System.nanoTime() - start, read);
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2] + " (1, 5, 15 min)";
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
