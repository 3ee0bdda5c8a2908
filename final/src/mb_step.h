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

/* The code a student writes in chapter N stands in "#if MB_SOLUTION_0N"
 * blocks, the stub that replaces it in a lab workspace in the #else
 * (scripts/gen-steps.sh, scripts/lab.py). Every build of this source has
 * the solutions; only a workspace, cut with unifdef, has holes (MB_LAB). */
#ifndef MB_LAB
#define MB_LAB         0
#define MB_SOLUTION_01 1
#define MB_SOLUTION_02 1
#define MB_SOLUTION_03 1
#define MB_SOLUTION_04 1
#define MB_SOLUTION_05 1
#define MB_SOLUTION_06 1
#define MB_SOLUTION_07 1
#define MB_SOLUTION_08 1
#define MB_SOLUTION_09 1
#define MB_SOLUTION_10 1
#endif

#endif
