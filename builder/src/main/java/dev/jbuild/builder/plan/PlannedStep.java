package dev.jbuild.builder.plan;

import dev.jbuild.parser.ast.Instruction;

/**
 * One instruction of a stage, with its user-facing label.
 *
 * @param instruction the parsed instruction
 * @param label for filesystem steps {@code [2/4] RUN make} (numbered like BuildKit), for metadata
 *     steps the instruction text alone
 * @param numbered whether the step is one of BuildKit's numbered (filesystem) steps
 */
public record PlannedStep(Instruction instruction, String label, boolean numbered) {}
