/*
 * mb_step.h - which chapter of the course this build is.
 *
 * final/ is the one source of every step. What chapter N adds stands in
 * "#if MB_STEP >= N" blocks; `make steps` runs unifdef -DMB_STEP=N over it to
 * produce steps/NN-name/. Built without MB_STEP, the source is the full
 * engine, which the bonus chapter (docs/10-beyond.md) calls step 10.
 */
#ifndef MB_STEP_H
#define MB_STEP_H

#ifndef MB_STEP
#define MB_STEP 10
#endif

#endif
