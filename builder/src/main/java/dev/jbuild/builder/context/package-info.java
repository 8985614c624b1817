/** The build context: the directory whose files COPY and ADD read, read in place. */
package dev.jbuild.builder.context;
