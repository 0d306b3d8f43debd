package dev.rotor.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.Secret;
import dev.rotor.SecretRef;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rotor get REF [--reveal] [--json]}: metadata by default, the value only when asked. */
@Command(name = "get",
        description = {
            "Reads one version of a secret and prints its metadata: store, path, version, created, stages and tags.",
            "The value is printed only with --reveal: raw, with no trailing newline, and with a #field applied.",
        })
final class GetCommand extends Subcommand {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Parameters(index = "0", paramLabel = "REF",
            description = "The secret, e.g. secret://main/db/app#username?stage=pending (default stage: current).")
    String ref;

    @Option(names = "--reveal", description = "Print the value (or the #field) instead of the metadata.")
    boolean reveal;

    @Option(names = "--json", description = "Print the metadata as a JSON object.")
    boolean json;

    @Override
    public Integer call() {
        if (reveal && json) {
            throw CliFailure.badInput("--reveal and --json cannot be combined: --reveal prints the raw value only");
        }
        SecretRef target = Refs.parse(ref);
        return cli().withRotor(rotor -> {
            Secret secret = rotor.get(target);
            try {
                if (reveal) {
                    byte[] bytes = secret.value().bytes();
                    try {
                        out().write(bytes);
                        out().flush();
                    } finally {
                        Arrays.fill(bytes, (byte) 0);
                    }
                } else if (json) {
                    out().println(JSON.writeValueAsString(metadataJson(target, secret.version())));
                } else {
                    metadataLines(target, secret.version()).forEach(out()::println);
                }
            } finally {
                secret.value().destroy();
            }
            return ExitCodes.OK;
        });
    }

    private static List<String> metadataLines(SecretRef ref, VersionInfo v) {
        var rows = new java.util.ArrayList<List<String>>();
        rows.add(List.of("store", ref.store()));
        rows.add(List.of("path", ref.path()));
        if (ref.field() != null) {
            rows.add(List.of("field", ref.field()));
        }
        rows.add(List.of("version", v.id()));
        rows.add(List.of("created", Format.instant(v.created())));
        rows.add(List.of("stages", Format.stages(v)));
        rows.add(List.of("tags", Format.tags(v.tags())));
        return Format.table(rows);
    }

    private static ObjectNode metadataJson(SecretRef ref, VersionInfo v) {
        ObjectNode node = JSON.createObjectNode();
        node.put("ref", ref.format());
        node.put("store", ref.store());
        node.put("path", ref.path());
        if (ref.field() != null) {
            node.put("field", ref.field());
        }
        node.put("version", v.id());
        node.put("created", v.created().toString());
        ArrayNode stages = node.putArray("stages");
        for (Stage s : Stage.values()) {
            if (v.has(s)) {
                stages.add(s.name());
            }
        }
        ObjectNode tags = node.putObject("tags");
        new TreeMap<>(v.tags()).forEach(tags::put);
        return node;
    }
}
