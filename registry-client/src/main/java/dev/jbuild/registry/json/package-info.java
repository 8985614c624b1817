/** Wire formats of the distribution API that are not image formats (error bodies). */
package dev.jbuild.registry.json;
