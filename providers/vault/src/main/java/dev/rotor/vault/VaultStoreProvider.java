package dev.rotor.vault;

import dev.rotor.Capabilities;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.InvalidSecretRefException;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.spi.ConfigBinder;
import dev.rotor.spi.SecretStoreProvider;
import dev.rotor.spi.StoreConfig;
import dev.rotor.spi.StoreContext;
import dev.rotor.vault.VaultStoreSettings.Auth;
import dev.rotor.vault.VaultStoreSettings.Tls;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;

/**
 * Provider of type {@code vault}: HashiCorp Vault or OpenBao, KV version 2. The settings are
 * described by {@link VaultStoreSettings}. {@link #validate} checks them without any I/O;
 * {@link #open} reads the CA file and the credentials, logs in, and returns the store.
 *
 * <p>Stateless and thread-safe.
 */
public final class VaultStoreProvider implements SecretStoreProvider {

    public static final String TYPE = "vault";

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern KV_PATH = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*");
    private static final Set<String> METHODS = Set.of(Auth.TOKEN, Auth.APPROLE, Auth.KUBERNETES);

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Capabilities capabilities() {
        return VaultSecretStore.CAPABILITIES;
    }

    @Override
    public List<ConfigProblem> validate(StoreConfig config, StoreContext context) {
        List<ConfigProblem> problems = new ArrayList<>();
        VaultStoreSettings s = ConfigBinder.bind(config, VaultStoreSettings.class, problems);
        if (s == null) {
            return problems;
        }
        checkAddress(config, s.address(), problems);
        if (s.mount() != null && !KV_PATH.matcher(s.mount()).matches()) {
            problems.add(new ConfigProblem(config.fieldPath("mount"),
                    "'" + printable(s.mount()) + "' is not a mount path (segments of A-Z a-z 0-9 . _ - separated by '/')"));
        }
        if (s.pathPrefix() != null && !s.pathPrefix().isEmpty()) {
            try {
                SecretRef.checkPath(s.pathPrefix());
                if (s.pathPrefix().equals(VaultSecretStore.RESERVED_SEGMENT)
                        || s.pathPrefix().startsWith(VaultSecretStore.RESERVED_SEGMENT + "/")) {
                    problems.add(new ConfigProblem(config.fieldPath("pathPrefix"),
                            "may not start with '" + VaultSecretStore.RESERVED_SEGMENT + "', which Rotor keeps for itself"));
                }
            } catch (InvalidSecretRefException e) {
                problems.add(new ConfigProblem(config.fieldPath("pathPrefix"), e.getMessage()));
            }
        }
        if (s.namespace() != null && !s.namespace().isEmpty() && !KV_PATH.matcher(s.namespace()).matches()) {
            problems.add(new ConfigProblem(config.fieldPath("namespace"), "'" + printable(s.namespace()) + "' is not a namespace path"));
        }
        checkAuth(config, s.effectiveAuth(), problems);
        checkTls(config, s.effectiveTls(), problems);
        checkPositive(config, "connectTimeout", s.connectTimeout(), problems);
        checkPositive(config, "readTimeout", s.readTimeout(), problems);
        if (s.maxVersions() != null && (s.maxVersions() < 1 || s.maxVersions() > VaultStoreSettings.MAX_MAX_VERSIONS)) {
            problems.add(new ConfigProblem(config.fieldPath("maxVersions"),
                    "must be between 1 and " + VaultStoreSettings.MAX_MAX_VERSIONS + ", is " + s.maxVersions()));
        }
        return problems;
    }

    private static void checkAddress(StoreConfig config, @Nullable String address, List<ConfigProblem> problems) {
        String field = config.fieldPath("address");
        if (address == null || address.isBlank()) {
            problems.add(new ConfigProblem(field, "is required: the Vault address, e.g. https://vault.example.com:8200"));
            return;
        }
        String expected = "'" + printable(address) + "' is not a Vault address (expected http(s)://host[:port])";
        try {
            URI uri = new URI(address);
            boolean scheme = "https".equals(uri.getScheme()) || "http".equals(uri.getScheme());
            boolean pathOk = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/");
            if (!scheme || uri.getHost() == null || !pathOk || uri.getRawQuery() != null || uri.getRawFragment() != null
                    || uri.getRawUserInfo() != null) {
                problems.add(new ConfigProblem(field, expected));
            }
        } catch (URISyntaxException e) {
            problems.add(new ConfigProblem(field, expected));
        }
    }

    private static void checkAuth(StoreConfig config, Auth a, List<ConfigProblem> problems) {
        String method = a.effectiveMethod();
        if (!METHODS.contains(method)) {
            problems.add(new ConfigProblem(config.fieldPath("auth.method"),
                    "unknown auth method '" + printable(method) + "' (known: approle, kubernetes, token)"));
            return;
        }
        Map<String, String> tokenOnly = nonNull("tokenEnv", a.tokenEnv(), "tokenFile", a.tokenFile());
        Map<String, String> approleOnly = nonNull("roleId", a.roleId(), "roleIdEnv", a.roleIdEnv(), "roleIdFile", a.roleIdFile(),
                "secretIdEnv", a.secretIdEnv(), "secretIdFile", a.secretIdFile());
        Map<String, String> kubernetesOnly = nonNull("role", a.role(), "jwtFile", a.jwtFile());
        notFor(config, method, Auth.TOKEN, tokenOnly, problems);
        notFor(config, method, Auth.APPROLE, approleOnly, problems);
        notFor(config, method, Auth.KUBERNETES, kubernetesOnly, problems);
        if (a.mount() != null && method.equals(Auth.TOKEN)) {
            problems.add(new ConfigProblem(config.fieldPath("auth.mount"), "applies only to methods approle and kubernetes"));
        } else if (a.mount() != null && !KV_PATH.matcher(a.mount()).matches()) {
            problems.add(new ConfigProblem(config.fieldPath("auth.mount"), "'" + printable(a.mount()) + "' is not an auth mount path"));
        }
        switch (method) {
            case Auth.TOKEN -> {
                atMostOne(config, problems, "tokenEnv", a.tokenEnv(), "tokenFile", a.tokenFile());
                checkEnv(config, "auth.tokenEnv", a.tokenEnv(), problems);
                checkFile(config, "auth.tokenFile", a.tokenFile(), problems);
            }
            case Auth.APPROLE -> {
                int given = count(a.roleId(), a.roleIdEnv(), a.roleIdFile());
                if (given == 0) {
                    problems.add(new ConfigProblem(config.fieldPath("auth.roleId"),
                            "is required for auth method approle (or give roleIdEnv or roleIdFile)"));
                } else if (given > 1) {
                    problems.add(new ConfigProblem(config.fieldPath("auth.roleId"), "give only one of roleId, roleIdEnv and roleIdFile"));
                }
                if (a.roleId() != null && a.roleId().isBlank()) {
                    problems.add(new ConfigProblem(config.fieldPath("auth.roleId"), "is empty"));
                }
                atMostOne(config, problems, "secretIdEnv", a.secretIdEnv(), "secretIdFile", a.secretIdFile());
                checkEnv(config, "auth.roleIdEnv", a.roleIdEnv(), problems);
                checkFile(config, "auth.roleIdFile", a.roleIdFile(), problems);
                checkEnv(config, "auth.secretIdEnv", a.secretIdEnv(), problems);
                checkFile(config, "auth.secretIdFile", a.secretIdFile(), problems);
            }
            case Auth.KUBERNETES -> {
                if (a.role() == null || a.role().isBlank()) {
                    problems.add(new ConfigProblem(config.fieldPath("auth.role"), "is required for auth method kubernetes: the Vault role to log in as"));
                }
                checkFile(config, "auth.jwtFile", a.jwtFile(), problems);
            }
            default -> throw new IllegalStateException(method);
        }
    }

    private static Map<String, String> nonNull(String... keyValues) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null) {
                m.put(keyValues[i], keyValues[i + 1]);
            }
        }
        return m;
    }

    private static void notFor(StoreConfig config, String method, String owner, Map<String, String> given, List<ConfigProblem> problems) {
        if (!method.equals(owner)) {
            for (String key : given.keySet()) {
                problems.add(new ConfigProblem(config.fieldPath("auth." + key), "applies only to auth method " + owner
                        + ", not " + method));
            }
        }
    }

    private static int count(@Nullable String... values) {
        int n = 0;
        for (String v : values) {
            if (v != null) {
                n++;
            }
        }
        return n;
    }

    private static void atMostOne(StoreConfig config, List<ConfigProblem> problems, String a, @Nullable String va, String b, @Nullable String vb) {
        if (va != null && vb != null) {
            problems.add(new ConfigProblem(config.fieldPath("auth." + b), "give either " + a + " or " + b + ", not both"));
        }
    }

    private static void checkEnv(StoreConfig config, String field, @Nullable String name, List<ConfigProblem> problems) {
        if (name != null && !ENV_NAME.matcher(name).matches()) {
            problems.add(new ConfigProblem(config.fieldPath(field), "'" + printable(name)
                    + "' is not an environment variable name (letters, digits and '_', not starting with a digit)"));
        }
    }

    private static void checkFile(StoreConfig config, String field, @Nullable String file, List<ConfigProblem> problems) {
        if (file == null) {
            return;
        }
        if (file.isBlank()) {
            problems.add(new ConfigProblem(config.fieldPath(field), "is empty"));
            return;
        }
        try {
            Path.of(file);
        } catch (InvalidPathException e) {
            problems.add(new ConfigProblem(config.fieldPath(field), "is not a valid file system path"));
        }
    }

    private static void checkTls(StoreConfig config, Tls t, List<ConfigProblem> problems) {
        if (!t.effectiveVerify() && !Boolean.TRUE.equals(t.allowInsecure())) {
            problems.add(new ConfigProblem(config.fieldPath("tls.verify"), "false is refused: it turns off checking Vault's"
                    + " certificate and host name; set tls.allowInsecure: true as well to allow it (never in production)"));
        }
        checkFile(config, "tls.caCertFile", t.caCertFile(), problems);
    }

    private static void checkPositive(StoreConfig config, String field, @Nullable Duration d, List<ConfigProblem> problems) {
        if (d != null && (d.isNegative() || d.isZero())) {
            problems.add(new ConfigProblem(config.fieldPath(field), "must be positive, is " + d));
        }
    }

    /**
     * Logs in and opens the store.
     *
     * @throws InvalidConfigurationException if a setting is bad, or a credential or the CA file cannot be read
     * @throws dev.rotor.AccessDeniedException if Vault refuses the credentials (naming the store)
     * @throws dev.rotor.ProviderUnavailableException if Vault cannot be reached
     */
    @Override
    public SecretStore open(StoreConfig config, StoreContext context) {
        return open(config, context, RenewalScheduler.daemon(config.name()));
    }

    VaultSecretStore open(StoreConfig config, StoreContext context, RenewalScheduler scheduler) {
        List<ConfigProblem> problems = new ArrayList<>();
        VaultStoreSettings s = ConfigBinder.bind(config, VaultStoreSettings.class, problems);
        problems.addAll(validate(config, context));
        if (!problems.isEmpty()) {
            scheduler.close();
            InvalidConfigurationException.throwIfAny(problems.stream().distinct().toList());
        }
        VaultClient client = null;
        VaultTokens tokens = null;
        try {
            HttpClient http = HttpClient.newBuilder()
                    // as the driver itself does: Vault Agent cannot proxy HTTP/2 cleartext
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(s.effectiveConnectTimeout())
                    .sslContext(sslContext(config, context, s.effectiveTls()))
                    .build();
            client = new VaultClient(config.name(), s.address(), s.effectiveMount(), s.namespace(), http, s.effectiveReadTimeout());
            tokens = new VaultTokens(client, login(config, s.effectiveAuth()), context, scheduler);
            tokens.start();
            return new VaultSecretStore(config.name(), client, tokens, s.effectiveMount(), s.effectivePathPrefix(),
                    s.effectiveMaxVersions());
        } catch (RuntimeException e) {
            if (tokens != null) {
                tokens.close();
            } else {
                scheduler.close();
            }
            if (client != null) {
                client.close();
            }
            throw e;
        }
    }

    private static VaultLogin login(StoreConfig config, Auth a) {
        return switch (a.effectiveMethod()) {
            case Auth.TOKEN -> new VaultLogin.Token(a.tokenFile() != null
                    ? new Credential(config.fieldPath("auth.tokenFile"), Credential.Kind.FILE, a.tokenFile())
                    : new Credential(config.fieldPath("auth.tokenEnv"), Credential.Kind.ENV,
                            a.tokenEnv() == null ? Auth.DEFAULT_TOKEN_ENV : a.tokenEnv()));
            case Auth.APPROLE -> {
                Credential roleId = a.roleId() != null
                        ? new Credential(config.fieldPath("auth.roleId"), Credential.Kind.INLINE, a.roleId())
                        : a.roleIdEnv() != null
                                ? new Credential(config.fieldPath("auth.roleIdEnv"), Credential.Kind.ENV, a.roleIdEnv())
                                : new Credential(config.fieldPath("auth.roleIdFile"), Credential.Kind.FILE, a.roleIdFile());
                Credential secretId = a.secretIdEnv() != null
                        ? new Credential(config.fieldPath("auth.secretIdEnv"), Credential.Kind.ENV, a.secretIdEnv())
                        : a.secretIdFile() != null
                                ? new Credential(config.fieldPath("auth.secretIdFile"), Credential.Kind.FILE, a.secretIdFile())
                                : null;
                yield new VaultLogin.AppRole(a.effectiveMount(), roleId, secretId);
            }
            case Auth.KUBERNETES -> new VaultLogin.Kubernetes(a.effectiveMount(), a.role(),
                    new Credential(config.fieldPath("auth.jwtFile"), Credential.Kind.FILE, a.effectiveJwtFile()));
            default -> throw new IllegalStateException("validated: " + a.effectiveMethod());
        };
    }

    private static SSLContext sslContext(StoreConfig config, StoreContext context, Tls tls) {
        try {
            if (!tls.effectiveVerify()) {
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
                return ctx;
            }
            if (tls.caCertFile() == null) {
                return SSLContext.getDefault();
            }
            Path file = context.resolve(tls.caCertFile());
            Collection<? extends Certificate> certs;
            try (InputStream in = Files.newInputStream(file)) {
                certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            } catch (IOException | GeneralSecurityException e) {
                throw new InvalidConfigurationException(config.fieldPath("tls.caCertFile"),
                        "cannot read CA certificates from " + file + " (" + e.getClass().getSimpleName() + ")");
            }
            if (certs.isEmpty()) {
                throw new InvalidConfigurationException(config.fieldPath("tls.caCertFile"), file + " holds no PEM certificate");
            }
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate cert : certs) {
                trust.setCertificateEntry("ca-" + i++, cert);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new InvalidConfigurationException(config.fieldPath("tls"), "cannot set up TLS (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static String printable(String text) {
        return VaultClient.printable(text, 100);
    }

    /** {@code tls.verify: false} with {@code allowInsecure}: no certificate or host name check at all. */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
