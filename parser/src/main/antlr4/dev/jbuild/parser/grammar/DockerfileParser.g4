/*
 * Parser for one logical Dockerfile instruction line (see DockerfileLexer for what the pre-pass
 * has already done). It recognises the structure shared by every instruction:
 *
 *   [blanks] INSTRUCTION-WORD [--flag ...] [--] [arguments ...] [blanks]
 *
 * The instruction-specific argument forms (JSON vs shell form, key=value pairs, AS name, ...) are
 * decided by dev.jbuild.parser.internal.InstructionBuilder, which needs the raw argument text for
 * shell forms and the word tokens for quote-aware forms.
 */
parser grammar DockerfileParser;

options { tokenVocab = DockerfileLexer; }

instructionLine : WS? keyword flag* endOfFlags? arguments? WS? EOF ;

keyword : WORD | FLAG | DOUBLE_DASH ;

flag : WS FLAG ;

endOfFlags : WS DOUBLE_DASH ;

arguments : WS argument (WS argument)* ;

argument : WORD | FLAG | DOUBLE_DASH ;
