/*
 * mountinfo.h - parsing /proc/self/mountinfo (see proc(5)).
 *
 * One line per mount:
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   (1)(2)(3)   (4)   (5)      (6)      (7)   (8) (9)   (10)         (11)
 * Field 7 is zero or more optional fields, ended by the "-" of field 8.
 */
#ifndef MB_MOUNTINFO_H
#define MB_MOUNTINFO_H

struct mountinfo_entry {
    int id, parent;      /* (1) this mount's id, (2) the id of the mount it sits on */
    char *root;          /* (4) the mount's root within its filesystem */
    char *mount_point;   /* (5) where it is mounted, octal escapes decoded */
    char *options;       /* (6) per-mount options */
    char *fstype;        /* (9) */
    char *source;        /* (10) */
    char *super_options; /* (11) per-filesystem options; cgroup v1 lists its controllers here */
};

/* Split one line in place (the pointers point into `line`). Pure. */
int mountinfo_parse_line(char *line, struct mountinfo_entry *entry);

/* Does a comma-separated option list hold `name` exactly? Pure. */
int mount_options_have(const char *options, const char *name);

#endif
