/** One class per soft placement preference; each scores a candidate node in [0, 1]. */
package io.tern.scheduler.core.placement.scorers;
