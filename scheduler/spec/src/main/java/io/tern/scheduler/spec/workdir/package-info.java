/** A job's working directory as it travels with the job: what is left behind, how it is packed. */
package io.tern.scheduler.spec.workdir;
