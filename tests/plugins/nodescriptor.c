/* nodescriptor.c — a shared object that is not a caselink plugin. */
int nodescriptor_answer (void);

int
nodescriptor_answer (void)
{
  return 42;
}
