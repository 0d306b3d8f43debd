package dev.rotor.cli;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.daemon.RotationService;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rotor status [--json]}: every policy's secrets with their last rotation, next due time and state. */
@Command(name = "status",
        description = {
            "Lists every secret the policies cover: ref, rotator, last rotated, next due, state.",
            "State: ok, due (inside its window), overdue (no success by its deadline), pending (a run under way or left by a dead process).",
            "The last rotation is the creation time of the CURRENT version in the store.",
        })
final class StatusCommand extends Subcommand {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--json", description = "Print a JSON array instead of a table (full-precision times).")
    boolean json;

    @Override
    public Integer call() {
        return cli().withRuntime(new MetricRegistry(), runtime -> {
            List<RotationService.Status> rows = runtime.service().status();
            if (json) {
                ArrayNode array = JSON.createArrayNode();
                for (RotationService.Status s : rows) {
                    ObjectNode o = array.addObject();
                    o.put("ref", s.ref().format());
                    o.put("policy", s.policy());
                    o.put("rotator", s.rotator());
                    o.put("rotatorType", s.rotatorType());
                    o.put("lastRotated", s.plan().lastSuccess() == null ? null : s.plan().lastSuccess().toString());
                    o.put("nextDue", s.plan().runAt().toString());
                    o.put("due", s.plan().due().toString());
                    o.put("deadline", s.plan().deadline().toString());
                    o.put("state", s.state());
                }
                out().println(JSON.writeValueAsString(array));
            } else {
                List<List<String>> table = new ArrayList<>();
                table.add(List.of("REF", "ROTATOR", "LAST ROTATED", "NEXT DUE", "STATE"));
                for (RotationService.Status s : rows) {
                    table.add(List.of(s.ref().format(), s.rotator() + " (" + s.rotatorType() + ")",
                            s.plan().lastSuccess() == null ? "never" : Format.instant(s.plan().lastSuccess()),
                            Format.instant(s.plan().runAt()), s.state()));
                }
                Format.table(table).forEach(out()::println);
            }
            out().flush();
            return ExitCodes.OK;
        });
    }
}
