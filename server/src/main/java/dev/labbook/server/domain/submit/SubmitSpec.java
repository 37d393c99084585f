package dev.labbook.server.domain.submit;

import java.util.List;
import java.util.Map;

/**
 * What to run and where: the domain form of the API's SubmitSpec (Azure's ScriptRunConfig).
 *
 * @param computeTarget   name of a server target
 * @param script          path relative to the source directory; a {@code .py} script runs with {@code python}
 * @param arguments       given to the script unchanged
 * @param snapshotPath    the run's INPUT artifact holding the source directory (gzip'd tar)
 * @param image           container image; "" : the target's default
 * @param pipRequirements installed before the script starts
 * @param variables       extra environment variables of the script
 * @param cpu             Kubernetes quantity, "" : none requested
 * @param memory          Kubernetes quantity, "" : none requested
 * @param gpu             GPUs (the target's gpuResource), 0: none
 */
public record SubmitSpec(String computeTarget, String script, List<String> arguments, String snapshotPath,
        String image, List<String> pipRequirements, Map<String, String> variables, String cpu, String memory,
        int gpu) {

    public SubmitSpec {
        arguments = List.copyOf(arguments);
        pipRequirements = List.copyOf(pipRequirements);
        variables = Map.copyOf(variables);
    }
}
