package dev.rotor.alert;

import dev.rotor.alert.internal.AlertJson;
import jakarta.mail.Authenticator;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * Mails each alert through an SMTP server (Angus Mail). Subject:
 * {@code [Rotor CRITICAL] <summary>} or {@code [Rotor RESOLVED] <summary>}; a plain-text body
 * with the summary, the ref, each detail on its own line, and the alert as JSON. The SMTP
 * password comes from the environment and appears in no description.
 */
public final class SmtpSink implements AlertSink {

    /** How the connection is protected. */
    public enum Security {
        /** Plain SMTP, for a relay on the same host or network. */
        NONE,
        /** Upgrade with STARTTLS, and refuse to go on without it. */
        STARTTLS,
        /** TLS from the first byte (SMTPS, usually port 465). */
        TLS
    }

    /**
     * Where and how to mail.
     *
     * @param from the sender address
     * @param to the recipients, at least one
     * @param username the login name, or null for none
     */
    public record Options(String host, int port, Security security, String from, List<String> to, @Nullable String username,
            java.time.Duration timeout) {
        public Options {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(security, "security");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(timeout, "timeout");
            to = List.copyOf(to);
            if (host.isBlank() || port < 1 || port > 65535 || to.isEmpty()) {
                throw new IllegalArgumentException("SMTP needs a host, a port in 1..65535 and at least one recipient");
            }
        }
    }

    private final Options options;
    private final Session session;
    private final InternetAddress from;
    private final InternetAddress[] to;

    /**
     * @param password the login password, or null when {@code options.username()} is null
     * @throws IllegalArgumentException if an address does not parse
     */
    public SmtpSink(Options options, @Nullable String password) {
        this.options = Objects.requireNonNull(options, "options");
        try {
            this.from = new InternetAddress(options.from(), true);
            this.to = new InternetAddress[options.to().size()];
            for (int i = 0; i < to.length; i++) {
                to[i] = new InternetAddress(options.to().get(i), true);
            }
        } catch (AddressException e) {
            throw new IllegalArgumentException("an SMTP address does not parse: " + e.getRef(), e);
        }
        String protocol = options.security() == Security.TLS ? "smtps" : "smtp";
        String ms = Long.toString(options.timeout().toMillis());
        Properties p = new Properties();
        p.put("mail.transport.protocol", protocol);
        p.put("mail." + protocol + ".host", options.host());
        p.put("mail." + protocol + ".port", Integer.toString(options.port()));
        p.put("mail." + protocol + ".connectiontimeout", ms);
        p.put("mail." + protocol + ".timeout", ms);
        p.put("mail." + protocol + ".writetimeout", ms);
        p.put("mail." + protocol + ".from", options.from());
        if (options.security() == Security.STARTTLS) {
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
        }
        if (options.security() != Security.NONE) {
            p.put("mail." + protocol + ".ssl.checkserveridentity", "true");
        }
        Authenticator auth = null;
        if (options.username() != null) {
            p.put("mail." + protocol + ".auth", "true");
            String user = options.username();
            String pass = Objects.requireNonNull(password, "password");
            auth = new Authenticator() {
                @Override
                protected PasswordAuthentication getPasswordAuthentication() {
                    return new PasswordAuthentication(user, pass);
                }
            };
        }
        this.session = Session.getInstance(p, auth);
    }

    @Override
    public void send(Alert alert) {
        try {
            MimeMessage m = new MimeMessage(session);
            m.setFrom(from);
            m.setRecipients(Message.RecipientType.TO, to);
            m.setSentDate(Date.from(alert.time()));
            m.setSubject(subject(alert), StandardCharsets.UTF_8.name());
            m.setText(body(alert), StandardCharsets.UTF_8.name());
            m.setHeader("X-Rotor-Alert-Key", alert.key());
            Transport.send(m);
        } catch (MessagingException e) {
            // Angus Mail's messages can quote the server's reply, which is no secret of ours, but
            // the type and the SMTP code say enough.
            throw new AlertDeliveryException(describe() + ": " + e.getClass().getSimpleName(), true, null);
        }
    }

    static String subject(Alert alert) {
        return "[Rotor " + (alert.resolved() ? "RESOLVED" : alert.severity().name()) + "] " + alert.summary();
    }

    static String body(Alert alert) {
        StringBuilder sb = new StringBuilder();
        sb.append(alert.summary()).append("\n\n");
        sb.append("ref: ").append(alert.ref()).append('\n');
        sb.append("kind: ").append(alert.kind()).append('\n');
        sb.append("severity: ").append(alert.severity()).append('\n');
        sb.append("time: ").append(alert.time()).append('\n');
        alert.details().forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
        sb.append("\n-- \n").append(AlertJson.pretty(AlertJson.of(alert))).append('\n');
        return sb.toString();
    }

    @Override
    public String describe() {
        return "smtp:" + options.host() + ":" + options.port();
    }

    @Override
    public String toString() {
        return describe();
    }
}
